import type { ErrorCode } from '@setup-mode-service/client';

/** Every text the elements show. Override any of them: `element.messages = { remove: 'Delete' }`. */
export const DEFAULT_MESSAGES = {
  loading: 'Loading your payment methods…',
  empty: 'No saved payment methods yet.',
  defaultBadge: 'Default',
  pays: 'Pays {subscription}',
  expires: 'expires {month}/{year}',
  makeDefault: 'Make default',
  remove: 'Remove',
  confirmRemove: 'Remove {method}?',
  confirm: 'Remove',
  cancel: 'Cancel',
  replaceTitle:
    '{method} pays for your subscription or is your default. Choose the method that takes its place:',
  replaceAndRemove: 'Replace and remove',
  working: 'Updating…',
  madeDefault: '{method} is now your default payment method.',
  removed: '{method} was removed.',
  superseded: 'A newer change was made meanwhile; showing it now.',
  updateCard: 'Update card',
  redirecting: 'Opening Stripe Checkout…',
  returnWaiting: 'Saving your payment method…',
  returnPending: 'Your bank is confirming the payment method. This can take a few days.',
  returnApplied: '{method} is now used for your future invoices.',
  returnMoved: 'Your subscriptions that used the old method now use it too.',
  returnSuperseded: 'Saved, but a payment method you added later is already your default.',
  returnFailed: 'The payment method could not be set up. Try another one.',
  returnExpired: 'The checkout expired before it was completed.',
  returnMissing: 'There is no checkout session to show.',
  errorFallback: 'Something went wrong. Please try again.',
} as const;

export type UiMessages = { [K in keyof typeof DEFAULT_MESSAGES]: string };

/** What to tell a person for each error code the API answers; codes not listed use errorFallback. */
export const DEFAULT_ERROR_MESSAGES: Partial<Record<ErrorCode, string>> = {
  unauthenticated: 'Your session has ended. Sign in again.',
  no_customer_claim: 'Your account has no billing profile yet.',
  payment_method_in_use: 'This method pays for something; choose a replacement first.',
  payment_method_not_found: 'That payment method no longer exists.',
  rate_limited: 'Too many attempts. Wait a moment and try again.',
  stripe_busy: 'Our payment provider is busy. Try again in a moment.',
  stripe_unavailable: 'Our payment provider cannot be reached. Try again in a moment.',
  service_unavailable: 'The service is briefly unavailable. Try again in a moment.',
  subscription_not_chargeable: 'That subscription can no longer be charged.',
  session_not_found: 'That checkout could not be found.',
};

export interface MessageOverrides {
  ui?: Partial<UiMessages>;
  errors?: Partial<Record<ErrorCode, string>>;
}

export class Messages {
  constructor(private readonly overrides: MessageOverrides = {}) {}

  text(key: keyof UiMessages, values: Record<string, string | number> = {}): string {
    const template = this.overrides.ui?.[key] ?? DEFAULT_MESSAGES[key];
    return template.replace(/\{(\w+)\}/g, (whole, name: string) => String(values[name] ?? whole));
  }

  /** The text for a failed call: by the API's error code, else the fallback. */
  error(error: unknown): string {
    const code = (error as { code?: ErrorCode } | undefined)?.code;
    return (
      (code && (this.overrides.errors?.[code] ?? DEFAULT_ERROR_MESSAGES[code])) || this.text('errorFallback')
    );
  }
}
