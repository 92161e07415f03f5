import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type Stripe from 'stripe';
import { chromiumAvailable, chromiumMissingReason, useStackInBrowser } from './browser';

/*
 * The demo's billing and success pages, built on packages/elements, in Chromium at a phone's width (390 px)
 * and a desktop's (1280 px). Oracles: Stripe's own state read back with the SDK (Customers.d.ts
 * invoice_settings.default_payment_method, Subscriptions.d.ts default_payment_method), and what the
 * browser reports (focus, layout widths).
 */
const SCREENSHOT_DIR = path.join(__dirname, '..', '..', 'test-results');

if (!chromiumAvailable) console.warn(`browser billing tests ${chromiumMissingReason}`);
const describeInBrowser = chromiumAvailable ? describe : describe.skip;

describeInBrowser(
  `the billing page in a real browser${chromiumAvailable ? '' : ` (${chromiumMissingReason})`}`,
  () => {
    const running = useStackInBrowser();

    const row = (page: Page, last4: string) => page.locator('.method', { hasText: `•••• ${last4}` });

    async function fillCard(page: Page, number: string) {
      await page.fill('#card-number', number);
      await page.fill('#card-expiry', '12 / 34');
      await page.fill('#card-cvc', '123');
      await page.click('#submit');
    }

    /**
     * "Add a card" on the billing page: hosted Checkout, the success page, back to billing. The session API
     * answers a customer's listing from memory for LISTING_CACHE_SECONDS (5 s) and only a switch or removal
     * invalidates it, not a setup; a test that is back within 5 s reloads until the new card is listed.
     */
    async function addCard(page: Page, customerId: string, number: string) {
      await page.goto(`${running.stack.url}/billing?customer=${customerId}`);
      await page.click('#add button');
      await page.waitForURL(/\/checkout\/cs_test_/);
      await fillCard(page, number);
      await page.waitForURL(/\/success\?session_id=cs_test_/);
      await page.locator('checkout-return[data-state="applied"]').waitFor({ timeout: 15_000 });
      await page.click('#back');
      await page.waitForURL(/\/billing\?customer=/);
      const last4 = number.replace(/\s/g, '').slice(-4);
      for (let attempt = 0; attempt < 8; attempt++) {
        await page.locator('.method, .spm-empty').first().waitFor();
        if ((await row(page, last4).count()) > 0) return;
        await new Promise((resolve) => setTimeout(resolve, 1000));
        await page.reload();
      }
    }

    async function customerDefaultInStripe(customerId: string) {
      const customer = (await running.stack.stripe.customers.retrieve(customerId, {
        expand: ['invoice_settings.default_payment_method'],
      })) as Stripe.Customer;
      return (customer.invoice_settings.default_payment_method as Stripe.PaymentMethod | null)?.card?.last4;
    }

    /** Nothing wider than the viewport: no sideways scrolling at a phone's width. */
    async function overflowingWidth(page: Page): Promise<number> {
      return page.evaluate<number>(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      );
    }

    it.each([
      [1280, 800],
      [390, 844],
    ])(
      'at %i px: add two cards, switch back, remove in use → replace-with flow, remove with confirmation; Stripe agrees',
      async (width, height) => {
        const account = running.stack.accounts.filter((candidate) => candidate.subscriptionId)[
          width === 390 ? 1 : 0
        ];
        if (!account?.subscriptionId) throw new Error('the demo seeds customers with subscriptions');
        const page = await running.browser.newPage({ viewport: { width, height } });

        await addCard(page, account.customerId, '4242 4242 4242 4242');
        await row(page, '4242').locator('.customer-default').waitFor();
        // Stripe orders setups by second: the second card must come from a later one.
        await new Promise((resolve) => setTimeout(resolve, 1100));
        await addCard(page, account.customerId, '5555 5555 5555 4444');
        await row(page, '4444').locator('.customer-default').waitFor();
        // Names, not ids: the subscription's badge says what it is.
        const paysBadge = row(page, '4444').locator(`.badge[data-subscription="${account.subscriptionId}"]`);
        expect(await paysBadge.textContent()).toBe('Pays your Acme Cloud plan');
        expect(await page.locator('body').textContent()).not.toContain(account.customerId);
        expect(await overflowingWidth(page)).toBeLessThanOrEqual(0);

        // Switch back to the first card.
        await row(page, '4242').locator('button.make-default').click();
        await row(page, '4242').locator('.customer-default').waitFor({ timeout: 15_000 });
        expect(await page.textContent('.spm-status')).toContain('is now your default');
        expect(await customerDefaultInStripe(account.customerId)).toBe('4242');

        // The default is in use: Remove asks for the replacement, from the keyboard, and Escape backs out.
        const removeDefault = row(page, '4242').locator('button.remove');
        await removeDefault.focus();
        await page.keyboard.press('Enter');
        const select = row(page, '4242').locator('select.replace-with');
        await select.waitFor();
        expect(await select.evaluate((element) => element.ownerDocument.activeElement === element)).toBe(
          true,
        );
        expect(await row(page, '4242').locator('label').textContent()).toContain('Choose the method');
        await page.keyboard.press('Escape');
        expect(await row(page, '4242').locator('.spm-question').count()).toBe(0);
        expect(
          await removeDefault.evaluate((element) => element.ownerDocument.activeElement === element),
        ).toBe(true);

        await removeDefault.click();
        await row(page, '4242').locator('button.confirm-replace').click();
        await row(page, '4242').waitFor({ state: 'detached', timeout: 15_000 });
        await row(page, '4444').locator('.customer-default').waitFor();
        expect(await customerDefaultInStripe(account.customerId)).toBe('4444');
        const subscription = await running.stack.stripe.subscriptions.retrieve(account.subscriptionId);
        const remaining = await running.stack.stripe.customers.listPaymentMethods(account.customerId);
        expect(remaining.data.map((method) => method.card?.last4)).toEqual(['4444']);
        // The subscription pays with its own default, or else the customer's (Subscriptions.d.ts).
        expect(subscription.default_payment_method ?? remaining.data[0]?.id).toBe(remaining.data[0]?.id);

        mkdirSync(SCREENSHOT_DIR, { recursive: true });
        await page.screenshot({
          path: path.join(SCREENSHOT_DIR, `billing-page-${width}.png`),
          fullPage: true,
        });
        await page.close();
      },
      90_000,
    );

    it('a method nothing uses is removed only after a confirmation', async () => {
      const account =
        running.stack.accounts.find((candidate) => !candidate.subscriptionId) ?? running.stack.accounts[2];
      if (!account) throw new Error('the demo seeds several customers');
      const page = await running.browser.newPage({ viewport: { width: 390, height: 844 } });
      await addCard(page, account.customerId, '4242 4242 4242 4242');
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await addCard(page, account.customerId, '5555 5555 5555 4444');
      await row(page, '4444').locator('.customer-default').waitFor();

      await row(page, '4242').locator('button.remove').click();
      const confirm = row(page, '4242').locator('button.confirm-remove');
      await confirm.waitFor();
      expect(await confirm.evaluate((element) => element.ownerDocument.activeElement === element)).toBe(true);
      await row(page, '4242').locator('button.cancel').click();
      expect(await row(page, '4242').count()).toBe(1);
      expect((await running.stack.stripe.customers.listPaymentMethods(account.customerId)).data).toHaveLength(
        2,
      );

      await row(page, '4242').locator('button.remove').click();
      await confirm.click();
      await row(page, '4242').waitFor({ state: 'detached', timeout: 15_000 });
      expect(await page.textContent('.spm-status')).toContain('was removed');
      expect((await running.stack.stripe.customers.listPaymentMethods(account.customerId)).data).toHaveLength(
        1,
      );
      await page.close();
    }, 60_000);

    it('embedded Checkout offline: the stand-in’s Stripe.js mounts Checkout in the page, then returns to the success page', async () => {
      const account = running.stack.accounts[0];
      if (!account) throw new Error('the demo seeds customers');
      const page = await running.browser.newPage({ viewport: { width: 390, height: 844 } });
      await page.goto(`${running.stack.url}/billing?customer=${account.customerId}`);
      await page.click('#add-embedded button');
      const frame = page.frameLocator('#embedded-checkout iframe');
      await frame.locator('#card-number').waitFor();
      expect(page.url()).toMatch(/\/billing\?customer=/);
      await frame.locator('#card-number').fill('4242 4242 4242 4242');
      await frame.locator('#card-expiry').fill('12 / 34');
      await frame.locator('#card-cvc').fill('123');
      await frame.locator('#submit').click();
      await page.waitForURL(/\/success\?session_id=cs_test_/);
      await page.locator('checkout-return[data-state="applied"]').waitFor({ timeout: 15_000 });
      expect(await customerDefaultInStripe(account.customerId)).toBe('4242');
      await page.close();
    }, 60_000);
  },
);
