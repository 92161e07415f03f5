import type { SetupStatus } from '@setup-mode-service/client';
import { SetupElement } from './config.js';
import { el, methodName } from './format.js';

/**
 * `<checkout-return>`: the page Checkout sends the customer back to. Reads `session-id` (or `?session_id=`),
 * waits for the outcome and says it; `data-state` on the element is `waiting`, `pending`, `applied`,
 * `superseded`, `failed`, `expired` or `error`, for styling. Dispatches `checkout-settled` with the status.
 */
export class CheckoutReturnElement extends SetupElement {
  readonly #method = el('p', { class: 'cr-method' });
  readonly #status = el('p', { class: 'cr-status', role: 'status', 'aria-live': 'polite' });
  #abort: AbortController | undefined;

  connectedCallback(): void {
    this.replaceChildren(this.#method, this.#status);
    const sessionId =
      this.getAttribute('session-id') ?? new URLSearchParams(window.location.search).get('session_id');
    if (!sessionId) {
      this.#show('error', this.text.text('returnMissing'));
      return;
    }
    this.#abort = new AbortController();
    this.#show('waiting', this.text.text('returnWaiting'));
    this.client
      .waitForDefault(sessionId, { signal: this.#abort.signal, onUpdate: (status) => this.#update(status) })
      .then((status) => {
        this.#update(status);
        this.dispatchEvent(new CustomEvent('checkout-settled', { detail: status }));
      })
      .catch((error: unknown) => {
        if (this.#abort?.signal.aborted) return;
        this.#show('error', this.text.error(error));
      });
  }

  disconnectedCallback(): void {
    this.#abort?.abort(new DOMException('The return view was removed', 'AbortError'));
  }

  #update(status: SetupStatus): void {
    const method = status.paymentMethod;
    const name = method
      ? methodName({
          type: method.type,
          card: method.brand && method.last4 ? { brand: method.brand, last4: method.last4 } : undefined,
        })
      : '';
    this.#method.textContent = name;
    const processing = status.processing.status;
    if (status.defaultsApplied && status.appliedTo) {
      const moved = status.appliedTo.subscriptionsMoved.length > 0 ? ` ${this.text.text('returnMoved')}` : '';
      this.#show(
        'applied',
        `${this.text.text('returnApplied', { method: name || 'Your payment method' })}${moved}`,
      );
    } else if (processing === 'superseded') this.#show('superseded', this.text.text('returnSuperseded'));
    else if (processing === 'failed') this.#show('failed', this.text.text('returnFailed'));
    else if (processing === 'pending') this.#show('pending', this.text.text('returnPending'));
    else if (status.status === 'expired') this.#show('expired', this.text.text('returnExpired'));
    else this.#show('waiting', this.text.text('returnWaiting'));
  }

  #show(state: string, text: string): void {
    this.dataset.state = state;
    this.#status.textContent = text;
  }
}
