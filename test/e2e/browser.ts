import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { type LocalStack, startLocalStack } from '../../dev/local-stack';

/** Debian's Chromium: browser downloads are impossible here, so the tests drive the system binary. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM_PATH);
export const chromiumMissingReason = `skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium)`;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    // Root in a container needs --no-sandbox; the rest keep Chromium off the (closed) network.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface StackInBrowser {
  stack: LocalStack;
  browser: Browser;
}

/** The local stack (as `npm run dev` runs it) and Chromium for the describe block it is called in. */
export function useStackInBrowser(): StackInBrowser {
  const running = {} as StackInBrowser;
  beforeAll(async () => {
    [running.stack, running.browser] = await Promise.all([
      startLocalStack({ port: 0, logLevel: 'silent' }),
      launchChromium(),
    ]);
  }, 60_000);
  afterAll(async () => {
    await running.browser?.close();
    await running.stack?.close();
  });
  return running;
}
