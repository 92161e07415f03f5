/**
 * Framework-free custom elements on the setup-mode service's client. `defineElements()` registers them
 * (once); `configureElements({ client })` gives them the client to call the API with.
 */
import { CheckoutReturnElement } from './checkout-return.js';
import { SavedPaymentMethodsElement } from './saved-payment-methods.js';
import { UpdateCardButtonElement } from './update-card-button.js';

export { ApiError, createClient } from '@setup-mode-service/client';
export { configureElements } from './config.js';
export { methodName } from './format.js';
export { DEFAULT_ERROR_MESSAGES, DEFAULT_MESSAGES, type MessageOverrides } from './messages.js';
export type { StripeJs } from './update-card-button.js';
export { CheckoutReturnElement, SavedPaymentMethodsElement, UpdateCardButtonElement };

export const ELEMENT_NAMES = {
  'saved-payment-methods': SavedPaymentMethodsElement,
  'update-card-button': UpdateCardButtonElement,
  'checkout-return': CheckoutReturnElement,
} as const;

export function defineElements(): void {
  for (const [name, element] of Object.entries(ELEMENT_NAMES)) {
    if (!customElements.get(name)) customElements.define(name, element);
  }
}
