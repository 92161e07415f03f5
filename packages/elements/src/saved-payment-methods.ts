import type { AcceptedChange, PaymentMethodList, SavedPaymentMethod } from '@setup-mode-service/client';
import { ApiError } from '@setup-mode-service/client';
import { SetupElement } from './config.js';
import { el, methodDetail, methodName } from './format.js';

/**
 * `<saved-payment-methods>`: the customer's saved methods, which one is the default and what each pays, with
 * Make default and Remove. Removing asks first; a method that pays something (or that the API finds in use)
 * asks for the method that takes its place and removes it with `replaceWith`. Keyboard: every action is a
 * button; Escape closes a question and gives focus back to the button that opened it.
 * Attribute `subscription-names`: JSON `{ "sub_…": "Team plan" }`, so people see names rather than ids.
 */
export class SavedPaymentMethodsElement extends SetupElement {
  #list: PaymentMethodList | undefined;
  readonly #status = el('p', { class: 'spm-status', role: 'status', 'aria-live': 'polite', tabindex: '-1' });
  readonly #rows = el('ul', { class: 'spm-list' });

  connectedCallback(): void {
    this.#rows.setAttribute('aria-label', this.getAttribute('label') ?? 'Saved payment methods');
    this.replaceChildren(this.#rows, this.#status);
    void this.refresh();
  }

  /** Reads the list again from the API. */
  async refresh(): Promise<void> {
    if (!this.#list) this.#rows.replaceChildren(el('li', { class: 'spm-empty' }, this.text.text('loading')));
    for (let attempt = 1; ; attempt++) {
      try {
        this.#list = await this.client.listPaymentMethods({ limit: 100 });
        this.#render();
        return;
      } catch (error) {
        // Over the caller's budget or a passing outage: the API says when to come back; a few times, then say so.
        if (!(error instanceof ApiError) || !error.retryable || attempt >= 4) {
          this.#say(this.text.error(error), false);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.max(1, error.retryAfterSeconds ?? 1) * 1000));
      }
    }
  }

  #subscriptionName(id: string): string {
    try {
      const names = JSON.parse(this.getAttribute('subscription-names') ?? '{}') as Record<string, string>;
      return names[id] ?? 'your subscription';
    } catch {
      return 'your subscription';
    }
  }

  #render(): void {
    const methods = this.#list?.data ?? [];
    if (methods.length === 0) {
      this.#rows.replaceChildren(el('li', { class: 'spm-empty' }, this.text.text('empty')));
      return;
    }
    this.#rows.replaceChildren(...methods.map((method) => this.#row(method)));
  }

  #row(method: SavedPaymentMethod): HTMLLIElement {
    const name = methodName(method);
    const badges = el('span', { class: 'spm-badges' });
    if (method.isCustomerDefault)
      badges.append(el('span', { class: 'badge customer-default' }, this.text.text('defaultBadge')));
    for (const subscription of method.pays) {
      badges.append(
        el(
          'span',
          { class: 'badge subscription', 'data-subscription': subscription },
          this.text.text('pays', { subscription: this.#subscriptionName(subscription) }),
        ),
      );
    }
    const actions = el('span', { class: 'spm-actions' });
    if (!method.isCustomerDefault) {
      const makeDefault = el(
        'button',
        {
          type: 'button',
          class: 'secondary make-default',
          'aria-label': `${this.text.text('makeDefault')}: ${name}`,
        },
        this.text.text('makeDefault'),
      );
      makeDefault.addEventListener('click', () =>
        this.#apply(() => this.client.makeDefault(method.id), 'madeDefault', name),
      );
      actions.append(makeDefault);
    }
    const remove = el(
      'button',
      { type: 'button', class: 'secondary remove', 'aria-label': `${this.text.text('remove')}: ${name}` },
      this.text.text('remove'),
    );
    remove.addEventListener('click', () => this.#askRemove(method, remove));
    actions.append(remove);
    const row = el(
      'li',
      { class: 'method', 'data-payment-method': method.id },
      el('span', { class: 'label' }, name),
      el('span', { class: 'detail' }, methodDetail(method, this.text)),
      badges,
      actions,
    );
    return row;
  }

  /** The question under the row: confirm, or choose a replacement when the method is in use. */
  #askRemove(
    method: SavedPaymentMethod,
    opener: HTMLButtonElement,
    inUse = method.isCustomerDefault || method.pays.length > 0,
  ): void {
    const row = opener.closest('li');
    if (!row) return;
    row.querySelector('.spm-question')?.remove();
    const name = methodName(method);
    const others = (this.#list?.data ?? []).filter((other) => other.id !== method.id);
    const close = () => {
      question.remove();
      opener.focus();
    };
    const cancel = el('button', { type: 'button', class: 'secondary cancel' }, this.text.text('cancel'));
    cancel.addEventListener('click', close);
    const question = el('div', { class: 'spm-question', role: 'group' });
    question.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') close();
    });
    if (inUse && others.length > 0) {
      const selectId = `spm-replace-${method.id}`;
      const select = el('select', { id: selectId, class: 'replace-with' });
      select.append(...others.map((other) => el('option', { value: other.id }, methodName(other))));
      const confirm = el(
        'button',
        { type: 'button', class: 'confirm-replace' },
        this.text.text('replaceAndRemove'),
      );
      confirm.addEventListener('click', () =>
        this.#apply(
          () => this.client.remove(method.id, { replaceWith: select.value }),
          'removed',
          name,
          method,
          opener,
        ),
      );
      question.setAttribute('aria-label', this.text.text('replaceTitle', { method: name }));
      question.append(
        el('label', { for: selectId }, this.text.text('replaceTitle', { method: name })),
        select,
        confirm,
        cancel,
      );
      row.append(question);
      select.focus();
    } else {
      const confirm = el('button', { type: 'button', class: 'confirm-remove' }, this.text.text('confirm'));
      confirm.addEventListener('click', () =>
        this.#apply(() => this.client.remove(method.id), 'removed', name, method, opener),
      );
      const prompt = this.text.text('confirmRemove', { method: name });
      question.setAttribute('aria-label', prompt);
      question.append(el('span', {}, prompt), confirm, cancel);
      row.append(question);
      confirm.focus();
    }
  }

  async #apply(
    request: () => Promise<AcceptedChange>,
    done: 'madeDefault' | 'removed',
    name: string,
    method?: SavedPaymentMethod,
    opener?: HTMLButtonElement,
  ): Promise<void> {
    for (const button of this.querySelectorAll('button')) button.disabled = true;
    this.#say(this.text.text('working'), undefined);
    try {
      const change = await this.client.waitForChange(await refusedOnlyRetried(request));
      if (change.status === 'applied') this.#say(this.text.text(done, { method: name }), true);
      else if (change.status === 'superseded') this.#say(this.text.text('superseded'), false);
      else this.#say(change.failureMessage ?? this.text.text('errorFallback'), false);
      await this.refresh();
    } catch (error) {
      for (const button of this.querySelectorAll('button')) button.disabled = false;
      // Used after all (a subscription started paying with it meanwhile): ask for the replacement.
      if (
        error instanceof ApiError &&
        error.code === 'payment_method_in_use' &&
        method &&
        opener?.isConnected
      ) {
        this.#say(this.text.error(error), false);
        this.#askRemove(method, opener, true);
        return;
      }
      this.#say(this.text.error(error), false);
    }
    this.#status.focus();
  }

  #say(text: string, ok: boolean | undefined): void {
    this.#status.textContent = text;
    this.#status.className = `spm-status${ok === undefined ? '' : ok ? ' ok' : ' bad'}`;
    this.dispatchEvent(new CustomEvent('spm-message', { detail: { text, ok } }));
  }
}

/**
 * A write refused with 429 was refused before it did anything (the caller's budget is taken first), so it is
 * safe to send again once `Retry-After` has passed; anything else is the caller's to show.
 */
async function refusedOnlyRetried<T>(request: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 429 || attempt >= 3) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, error.retryAfterSeconds ?? 1) * 1000));
    }
  }
}
