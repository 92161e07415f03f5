import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type Stripe from 'stripe';
import { chromiumAvailable, chromiumMissingReason, useStackInBrowser } from './browser';

const SCREENSHOT_DIR = path.join(__dirname, '..', '..', 'test-results');

if (!chromiumAvailable) {
  // Visible in the run's output, so a skipped browser test is never mistaken for a passing one.
  console.warn(`browser checkout tests ${chromiumMissingReason}`);
}
const describeInBrowser = chromiumAvailable ? describe : describe.skip;

describeInBrowser(
  `the demo in a real browser${chromiumAvailable ? '' : ` (${chromiumMissingReason})`}`,
  () => {
    const running = useStackInBrowser();

    async function defaultsInStripe(customerId: string, subscriptionId?: string) {
      const customer = (await running.stack.stripe.customers.retrieve(customerId, {
        expand: ['invoice_settings.default_payment_method'],
      })) as Stripe.Customer;
      const subscription = subscriptionId
        ? await running.stack.stripe.subscriptions.retrieve(subscriptionId)
        : undefined;
      const method = customer.invoice_settings.default_payment_method as Stripe.PaymentMethod | null;
      return { customerDefault: method, subscriptionDefault: subscription?.default_payment_method ?? null };
    }

    it('button → hosted checkout → card saved → success page shows it as the default, and Stripe agrees', async () => {
      const account = running.stack.accounts.find((candidate) => candidate.subscriptionId);
      if (!account?.subscriptionId) throw new Error('the demo seeds a customer with a subscription');
      const page = await running.browser.newPage();
      await page.goto(`${running.stack.url}/`);
      await page.locator(`[data-customer="${account.customerId}"] button[type=submit]`).click();

      await page.waitForURL(/\/checkout\/cs_test_/);
      await page.fill('#card-number', '4242 4242 4242 4242');
      await page.fill('#card-expiry', '12 / 34');
      await page.fill('#card-cvc', '123');
      await page.fill('#cardholder-name', account.name);
      await page.click('#submit');

      await page.waitForURL(/\/success\?session_id=cs_test_/);
      // <checkout-return> (packages/elements) says the outcome once the session's status is final.
      await page.locator('checkout-return[data-state="applied"]').waitFor({ timeout: 15_000 });
      expect(await page.textContent('checkout-return .cr-method')).toContain('4242');
      expect(await page.textContent('checkout-return .cr-status')).toContain('future invoices');
      expect(await page.getAttribute('#back', 'href')).toBe(`/billing?customer=${account.customerId}`);
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'success-page.png'), fullPage: true });

      const defaults = await defaultsInStripe(account.customerId, account.subscriptionId);
      expect(defaults.customerDefault?.card?.last4).toBe('4242');
      expect(defaults.subscriptionDefault).toBe(defaults.customerDefault?.id);

      // Back on the demo page, the customer's default card is the new one.
      await page.goto(`${running.stack.url}/`);
      expect(await page.textContent(`[data-customer="${account.customerId}"] .default-card`)).toContain(
        '4242',
      );
      await page.close();
    });

    // Stripe's decline test card, then the working one, in the same Checkout: the decline fires
    // setup_intent.setup_failed (delivered to the webhook like every subscribed event), the session stays open.
    it('a declined card shows an error and applies nothing; a good card then, in the same session, becomes the default', async () => {
      const account = running.stack.accounts.filter((candidate) => candidate.subscriptionId)[1];
      if (!account?.subscriptionId) throw new Error('the demo seeds two customers with subscriptions');
      const page = await running.browser.newPage();
      await page.goto(`${running.stack.url}/`);
      await page.locator(`[data-customer="${account.customerId}"] button[type=submit]`).click();
      await page.waitForURL(/\/checkout\/cs_test_/);
      const submitCard = async (number: string) => {
        await page.fill('#card-number', number);
        await page.fill('#card-expiry', '12 / 34');
        await page.fill('#card-cvc', '123');
        await page.click('#submit');
      };
      await submitCard('4000 0000 0000 0002');

      await page.locator('#error').waitFor();
      expect(await page.textContent('#error')).toMatch(/declined/i);
      expect(page.url()).toMatch(/\/checkout\/cs_test_/);
      expect(await defaultsInStripe(account.customerId, account.subscriptionId)).toEqual({
        customerDefault: null,
        subscriptionDefault: null,
      });

      await submitCard('4242 4242 4242 4242');
      await page.waitForURL(/\/success\?session_id=cs_test_/);
      await page.locator('checkout-return[data-state="applied"]').waitFor({ timeout: 20_000 });
      expect(await page.textContent('checkout-return .cr-status')).toContain('future invoices');
      const defaults = await defaultsInStripe(account.customerId, account.subscriptionId);
      expect(defaults.customerDefault?.card?.last4).toBe('4242');
      expect(defaults.subscriptionDefault).toBe(defaults.customerDefault?.id);
      await page.close();
    });
  },
);
