import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type Stripe from 'stripe';
import { chromiumAvailable, chromiumMissingReason, useStackInBrowser } from './browser';

const SCREENSHOT_DIR = path.join(__dirname, '..', '..', 'test-results');

if (!chromiumAvailable) console.warn(`browser billing tests ${chromiumMissingReason}`);
const describeInBrowser = chromiumAvailable ? describe : describe.skip;

describeInBrowser(
  `the billing page in a real browser${chromiumAvailable ? '' : ` (${chromiumMissingReason})`}`,
  () => {
    const running = useStackInBrowser();

    /** "Add a card" on the billing page: the hosted Checkout, the success page, back to billing. */
    async function addCard(page: Page, customerId: string, number: string) {
      await page.goto(`${running.stack.url}/billing?customer=${customerId}`);
      await page.click('#add button[type=submit]');
      await page.waitForURL(/\/checkout\/cs_test_/);
      await page.fill('#card-number', number);
      await page.fill('#card-expiry', '12 / 34');
      await page.fill('#card-cvc', '123');
      await page.click('#submit');
      await page.waitForURL(/\/success\?session_id=cs_test_/);
      await page.locator('#customer-default.ok').waitFor({ timeout: 15_000 });
      await page.click('#back');
      await page.waitForURL(/\/billing\?customer=/);
    }

    const row = (page: Page, last4: string) => page.locator('.method', { hasText: `•••• ${last4}` });

    async function customerDefaultInStripe(customerId: string) {
      const customer = (await running.stack.stripe.customers.retrieve(customerId, {
        expand: ['invoice_settings.default_payment_method'],
      })) as Stripe.Customer;
      return (customer.invoice_settings.default_payment_method as Stripe.PaymentMethod | null)?.card?.last4;
    }

    it('add a second card, switch back to the first, remove the second: the badges follow, and Stripe agrees', async () => {
      const account = running.stack.accounts.find((candidate) => candidate.subscriptionId);
      if (!account?.subscriptionId) throw new Error('the demo seeds a customer with a subscription');
      const page = await running.browser.newPage();
      const subscriptionBadge = `Pays ${account.subscriptionId}`;

      await addCard(page, account.customerId, '4242 4242 4242 4242');
      await row(page, '4242').locator('.customer-default').waitFor();
      // Stripe orders setups by second: the second card must come from a later one.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await addCard(page, account.customerId, '5555 5555 5555 4444');
      await row(page, '4444').locator('.customer-default').waitFor();
      expect(await row(page, '4444').textContent()).toContain(subscriptionBadge);
      expect(await row(page, '4242').locator('.customer-default').count()).toBe(0);

      // The default cannot be removed without a replacement: the page shows the service's 409.
      await row(page, '4444').locator('button.remove').click();
      await page.locator('#message.bad').waitFor();
      expect(await page.textContent('#message')).toContain(account.subscriptionId);

      await row(page, '4242').locator('button.make-default').click();
      await row(page, '4242').locator('.customer-default').waitFor({ timeout: 15_000 });
      expect(await row(page, '4242').textContent()).toContain(subscriptionBadge);
      expect(await row(page, '4444').locator('.badge').count()).toBe(0);
      expect(await customerDefaultInStripe(account.customerId)).toBe('4242');

      await row(page, '4444').locator('button.remove').click();
      await row(page, '4444').waitFor({ state: 'detached', timeout: 15_000 });
      expect(await page.locator('.method').count()).toBe(1);
      const saved = await running.stack.stripe.customers.listPaymentMethods(account.customerId);
      expect(saved.data.map((method) => method.card?.last4)).toEqual(['4242']);

      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'billing-page.png'), fullPage: true });
      await page.close();
    }, 90_000);
  },
);
