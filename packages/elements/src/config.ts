import type { SetupModeClient } from '@setup-mode-service/client';
import { type MessageOverrides, Messages } from './messages.js';

let shared: { client?: SetupModeClient; messages: MessageOverrides } = { messages: {} };

/** The client and message overrides every element uses unless it is given its own (`element.client = …`). */
export function configureElements(options: { client: SetupModeClient; messages?: MessageOverrides }): void {
  shared = { client: options.client, messages: options.messages ?? {} };
}

/** What the elements share: a client to call the API with, and the messages to show. */
export class SetupElement extends HTMLElement {
  #client: SetupModeClient | undefined;
  #messages: MessageOverrides | undefined;

  get client(): SetupModeClient {
    const client = this.#client ?? shared.client;
    if (!client)
      throw new Error(`${this.localName}: call configureElements({ client }) or set .client first`);
    return client;
  }

  set client(client: SetupModeClient) {
    this.#client = client;
  }

  /** Overrides of the texts (`ui`) and of the message shown for an error code (`errors`). */
  set messages(overrides: MessageOverrides) {
    this.#messages = overrides;
  }

  protected get text(): Messages {
    const own = this.#messages ?? {};
    return new Messages({
      ui: { ...shared.messages.ui, ...own.ui },
      errors: { ...shared.messages.errors, ...own.errors },
    });
  }
}
