import type { SavedPaymentMethod } from '@setup-mode-service/client';
import type { Messages } from './messages.js';

const titleCase = (text: string) => text.charAt(0).toUpperCase() + text.slice(1).replaceAll('_', ' ');

/** "Visa •••• 4242", "Sepa debit •••• 3000", "Link jenny@example.com": what a person recognises a method by. */
export function methodName(method: Pick<SavedPaymentMethod, 'type' | 'card' | 'bank' | 'account'>): string {
  if (method.card) return `${titleCase(method.card.brand)} •••• ${method.card.last4}`;
  if (method.account?.email) return `${titleCase(method.type)} ${method.account.email}`;
  if (method.bank)
    return `${method.bank.bankName ?? titleCase(method.type)}${method.bank.last4 ? ` •••• ${method.bank.last4}` : ''}`;
  return titleCase(method.type);
}

export function methodDetail(method: SavedPaymentMethod, messages: Messages): string {
  const card = method.card;
  if (!card?.expMonth || !card.expYear) return '';
  return messages.text('expires', {
    month: String(card.expMonth).padStart(2, '0'),
    year: String(card.expYear).slice(-2),
  });
}

/** An element with text, in one line. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}
