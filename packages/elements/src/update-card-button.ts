import type { CreateSessionRequest } from '@setup-mode-service/client';
import { SetupElement } from './config.js';
import { el } from './format.js';

/** What the element needs of Stripe.js (`Stripe(publishableKey)`): embedded Checkout. */
export interface StripeJs {
  initEmbeddedCheckout(options: { clientSecret: string }): Promise<{ mount(target: Element | string): void }>;
}

/**
 * `<update-card-button>`: starts Checkout in setup mode. Attributes: `ui-mode` (`hosted_page`, the default,
 * redirects to Stripe's page; `embedded_page` mounts Checkout into `checkout-target`, a selector), and
 * `subscription`, `success-url`, `cancel-url`, `return-url`, passed to `POST /checkout-sessions`. For the
 * embedded page set `.stripe` to `Stripe(publishableKey)` (or the stand-in's offline Stripe.js).
 */
export class UpdateCardButtonElement extends SetupElement {
  stripe: StripeJs | undefined;
  readonly #button = el('button', { type: 'button', class: 'update-card' });
  readonly #status = el('span', { class: 'ucb-status', role: 'status', 'aria-live': 'polite' });

  connectedCallback(): void {
    this.#button.textContent = this.getAttribute('label') ?? this.text.text('updateCard');
    this.#button.addEventListener('click', () => void this.start());
    this.replaceChildren(this.#button, this.#status);
  }

  async start(): Promise<void> {
    const embedded = this.getAttribute('ui-mode') === 'embedded_page';
    const attribute = (name: string) => this.getAttribute(name) ?? undefined;
    const request: CreateSessionRequest = {
      ...(attribute('subscription') ? { subscription: attribute('subscription') } : {}),
      ...(embedded
        ? {
            uiMode: 'embedded_page',
            ...(attribute('return-url') ? { returnUrl: attribute('return-url') } : {}),
          }
        : {
            ...(attribute('success-url') ? { successUrl: attribute('success-url') } : {}),
            ...(attribute('cancel-url') ? { cancelUrl: attribute('cancel-url') } : {}),
          }),
    };
    this.#button.disabled = true;
    this.#status.textContent = this.text.text('redirecting');
    this.#status.className = 'ucb-status';
    try {
      const session = await this.client.createSession(request);
      this.dispatchEvent(new CustomEvent('checkout-session', { detail: session }));
      if ('url' in session && session.url) {
        window.location.assign(session.url);
        return;
      }
      const target = document.querySelector(this.getAttribute('checkout-target') ?? '');
      if (!this.stripe || !session.clientSecret || !target)
        throw new Error('embedded Checkout needs .stripe and checkout-target');
      (await this.stripe.initEmbeddedCheckout({ clientSecret: session.clientSecret })).mount(target);
      this.#status.textContent = '';
      (target as HTMLElement).tabIndex = -1;
      (target as HTMLElement).focus();
    } catch (error) {
      this.#button.disabled = false;
      this.#status.textContent = this.text.error(error);
      this.#status.className = 'ucb-status bad';
    }
  }
}
