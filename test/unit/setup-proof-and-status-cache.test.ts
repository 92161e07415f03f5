import { cachedSessionLookup } from '../../functions/checkout-api/session-lookup-cache';
import { ConfigError, readCheckoutConfig, readProcessingConfig } from '../../functions/shared/config';
import { checkoutExpiresAt } from '../../functions/shared/flow/create-checkout-session';
import type { CheckoutSessionSnapshot } from '../../functions/shared/ports';
import { setupMetadata } from '../../functions/shared/setup-metadata';
import { createSetupProof, isProvenSetup, parseSetupProofSecrets } from '../../functions/shared/setup-proof';

const SECRET = 'a-test-setup-proof-secret-of-32-chars!';

describe('the setup proof', () => {
  const proof = createSetupProof(async () => [SECRET]);

  it('verifies its own metadata and nothing with a changed customer, subscription or proof', async () => {
    const metadata = setupMetadata('cus_1', 'sub_1', await proof.sign('cus_1', 'sub_1'));
    expect(await proof.verifies(metadata)).toBe(true);
    for (const changed of <Record<string, string>[]>[
      { ...metadata, customer_id: 'cus_2' },
      { ...metadata, subscription_id: 'sub_2' },
      {
        customer_id: 'cus_1',
        created_by: metadata.created_by ?? '',
        setup_proof: metadata.setup_proof ?? '',
      },
      { ...metadata, setup_proof: 'v1.AAAA' },
      { ...metadata, setup_proof: '' },
    ]) {
      expect(await proof.verifies(changed)).toBe(false);
    }
  });

  it('covers the update link: a link id added, removed or changed after signing breaks the proof', async () => {
    const withLink = setupMetadata('cus_1', 'sub_1', await proof.sign('cus_1', 'sub_1', 'lnk_a'), 'lnk_a');
    expect(await proof.verifies(withLink)).toBe(true);
    const withoutLink = setupMetadata('cus_1', 'sub_1', await proof.sign('cus_1', 'sub_1'));
    expect(await proof.verifies({ ...withLink, update_link: 'lnk_b' })).toBe(false);
    expect(await proof.verifies({ ...withoutLink, update_link: 'lnk_a' })).toBe(false);
    const { update_link: _removed, ...linkRemoved } = withLink;
    expect(await proof.verifies(linkRemoved)).toBe(false);
    // Stripe holding the customer does not excuse a link id: it steers which invoice is paid.
    const ownCustomer = setupMetadata('cus_1', undefined, await proof.sign('cus_1'));
    expect(await isProvenSetup(proof, 'cus_1', ownCustomer)).toBe(true);
    expect(await isProvenSetup(proof, 'cus_1', { ...ownCustomer, update_link: 'lnk_a' })).toBe(false);
  });

  it('keeps proving setups signed before a rotation while the old secret is still listed', async () => {
    const before = setupMetadata('cus_1', undefined, await proof.sign('cus_1'));
    const rotated = createSetupProof(async () => ['a-brand-new-setup-proof-secret-32-chars', SECRET]);
    expect(await rotated.verifies(before)).toBe(true);
    expect(
      await createSetupProof(async () => ['a-brand-new-setup-proof-secret-32-chars']).verifies(before),
    ).toBe(false);
  });

  it('asks for no proof only when Stripe names the customer and metadata names no subscription', async () => {
    const marker = { created_by: 'stripe-setup-mode-service' };
    expect(await isProvenSetup(proof, 'cus_1', { ...marker, customer_id: 'cus_1' })).toBe(true);
    expect(await isProvenSetup(proof, null, { ...marker, customer_id: 'cus_1' })).toBe(false);
    expect(
      await isProvenSetup(proof, 'cus_1', { ...marker, customer_id: 'cus_1', subscription_id: 'sub_1' }),
    ).toBe(false);
    expect(await isProvenSetup(proof, 'cus_1', { customer_id: 'cus_1' })).toBe(false);
  });

  it('refuses short or empty secrets, naming where they came from', () => {
    expect(() => parseSetupProofSecrets('short', 'SETUP_PROOF_SECRET')).toThrow(/SETUP_PROOF_SECRET/);
    expect(() => parseSetupProofSecrets(' , ', 'SETUP_PROOF_SECRET')).toThrow(ConfigError);
    expect(parseSetupProofSecrets(`${SECRET}, ${SECRET}x`, 'x')).toEqual([SECRET, `${SECRET}x`]);
  });
});

describe('freshness and expiry settings', () => {
  const checkout = {
    CHECKOUT_SUCCESS_URL: 'https://a.example/ok',
    CHECKOUT_CANCEL_URL: 'https://a.example/no',
  };

  it('Checkout links last 30 minutes by default, and only what Stripe allows (30 min–24 h)', () => {
    expect(readCheckoutConfig(checkout).sessionMinutes).toBe(30);
    expect(() => readCheckoutConfig({ ...checkout, CHECKOUT_SESSION_MINUTES: '29' })).toThrow(
      /CHECKOUT_SESSION_MINUTES/,
    );
    expect(() => readCheckoutConfig({ ...checkout, CHECKOUT_SESSION_MINUTES: '1441' })).toThrow(ConfigError);
    const now = 1_800_000_000_000;
    expect(checkoutExpiresAt(now, 30) - now / 1000).toBeGreaterThan(30 * 60);
    expect(checkoutExpiresAt(now, 24 * 60) - now / 1000).toBeLessThan(24 * 3600);
  });

  it('the status path’s window is Stripe’s 3 days of retries by default, never longer than the records', () => {
    expect(readProcessingConfig({}).setupRetryWindowHours).toBe(72);
    expect(() => readProcessingConfig({ RECORD_RETENTION_DAYS: '2' })).toThrow(/SETUP_RETRY_WINDOW_HOURS/);
  });
});

describe('the status route’s cache of Stripe lookups', () => {
  const session = (status: string, intentStatus: string): CheckoutSessionSnapshot => ({
    id: 'cs_test_1',
    mode: 'setup',
    status,
    customerId: 'cus_1',
    metadata: {},
    created: 0,
    livemode: false,
    setupIntent: {
      id: 'seti_1',
      status: intentStatus,
      created: 0,
      customerId: 'cus_1',
      paymentMethod: null,
      metadata: {},
    },
  });

  function counted(answer: () => Promise<CheckoutSessionSnapshot>) {
    let clock = 0;
    const calls = { count: 0 };
    const lookup = cachedSessionLookup(
      async () => {
        calls.count++;
        return answer();
      },
      { ttlMs: 3000, now: () => clock },
      (error) => error === 'not_found',
    );
    return { lookup, calls, advance: (ms: number) => (clock += ms) };
  }

  it('answers polls of a finished session from one lookup until it is stale', async () => {
    const { lookup, calls, advance } = counted(async () => session('complete', 'succeeded'));
    for (let poll = 0; poll < 3; poll++) await lookup('cs_test_1');
    expect(calls.count).toBe(1);
    advance(3000);
    await lookup('cs_test_1');
    expect(calls.count).toBe(2);
  });

  it('keeps nothing that can still change, nor a transient failure', async () => {
    const open = counted(async () => session('open', 'requires_payment_method'));
    await open.lookup('cs_test_1');
    await open.lookup('cs_test_1');
    expect(open.calls.count).toBe(2);
    const processing = counted(async () => session('complete', 'processing'));
    await processing.lookup('cs_test_1');
    await processing.lookup('cs_test_1');
    expect(processing.calls.count).toBe(2);
    const failing = counted(async () => Promise.reject('unavailable'));
    await expect(failing.lookup('cs_test_1')).rejects.toBe('unavailable');
    await expect(failing.lookup('cs_test_1')).rejects.toBe('unavailable');
    expect(failing.calls.count).toBe(2);
    const missing = counted(async () => Promise.reject('not_found'));
    await expect(missing.lookup('cs_test_1')).rejects.toBe('not_found');
    await expect(missing.lookup('cs_test_1')).rejects.toBe('not_found');
    expect(missing.calls.count).toBe(1);
  });
});
