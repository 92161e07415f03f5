import Stripe from 'stripe';
import { verifyStripeSignature } from '../../functions/stripe-webhook/stripe-signature';

const stripe = new Stripe('sk_test_signature');
const NOW = 1_800_000_000;
const TOLERANCE = 300;

function sdkHeader(payload: string, secret: string, timestamp: number): string {
  return stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
}

// The SDK reads the clock itself: freeze it at NOW so both verifiers see the same time.
beforeAll(() => jest.useFakeTimers({ now: NOW * 1000, doNotFake: ['nextTick', 'setImmediate'] }));
afterAll(() => jest.useRealTimers());

function sdkAccepts(payload: string, header: string, secret: string): boolean {
  try {
    stripe.webhooks.constructEvent(payload, header, secret, TOLERANCE);
    return true;
  } catch {
    return false;
  }
}

describe('timestamps in the future', () => {
  it('refuses one beyond the tolerance, where the SDK (which checks only age) would accept it', () => {
    const payload = '{"id":"evt_future"}';
    const ahead = sdkHeader(payload, 'whsec_alpha', NOW + TOLERANCE + 1);
    expect(sdkAccepts(payload, ahead, 'whsec_alpha')).toBe(true);
    expect(verifyStripeSignature(Buffer.from(payload), ahead, ['whsec_alpha'], TOLERANCE, NOW)).toMatchObject(
      {
        valid: false,
      },
    );
    const withinClockSkew = sdkHeader(payload, 'whsec_alpha', NOW + 30);
    expect(
      verifyStripeSignature(Buffer.from(payload), withinClockSkew, ['whsec_alpha'], TOLERANCE, NOW),
    ).toEqual({
      valid: true,
      timestamp: NOW + 30,
    });
  });
});

describe('verifyStripeSignature agrees with the stripe SDK', () => {
  const payloads = [
    '{"id":"evt_1","object":"event"}',
    JSON.stringify({ id: 'evt_ü', data: { object: { name: 'Zoë – 東京' } } }),
    '{}',
    ' {"spaced": true}\n',
  ];
  const secrets = ['whsec_alpha', 'whsec_beta_0123456789abcdef'];

  it.each(payloads.flatMap((payload) => secrets.map((secret) => [payload, secret] as const)))(
    'accepts the SDK-signed payload %j with %s',
    (payload, secret) => {
      const header = sdkHeader(payload, secret, NOW);
      expect(sdkAccepts(payload, header, secret)).toBe(true);
      expect(verifyStripeSignature(Buffer.from(payload), header, [secret], TOLERANCE, NOW)).toEqual({
        valid: true,
        timestamp: NOW,
      });
    },
  );

  it('rejects a payload changed by one byte, as the SDK does', () => {
    for (const payload of payloads.filter(Boolean)) {
      const header = sdkHeader(payload, 'whsec_alpha', NOW);
      const tampered = `${payload.slice(0, -1)}${payload.endsWith('}') ? ' ' : '}'}`;
      expect(sdkAccepts(tampered, header, 'whsec_alpha')).toBe(false);
      expect(
        verifyStripeSignature(Buffer.from(tampered), header, ['whsec_alpha'], TOLERANCE, NOW).valid,
      ).toBe(false);
    }
  });

  it('accepts any of several secrets during rotation, and none of the wrong ones', () => {
    const payload = '{"id":"evt_rotation"}';
    const header = sdkHeader(payload, 'whsec_new', NOW);
    expect(
      verifyStripeSignature(
        Buffer.from(payload),
        header,
        ['whsec_old_0123456789abcdefghijkl', 'whsec_new'],
        TOLERANCE,
        NOW,
      ).valid,
    ).toBe(true);
    expect(
      verifyStripeSignature(
        Buffer.from(payload),
        header,
        ['whsec_old_0123456789abcdefghijkl', 'whsec_other'],
        TOLERANCE,
        NOW,
      ),
    ).toEqual({
      valid: false,
      reason: 'No signature matches the payload.',
      // Fresh and well formed: what Stripe's deliveries look like when the configured secret is wrong.
      wrongSecret: true,
    });
  });

  it('accepts a header with several v1 entries when one of them matches (Stripe signs with every active secret)', () => {
    const payload = '{"id":"evt_multi"}';
    const good = sdkHeader(payload, 'whsec_new', NOW).split(',v1=')[1];
    const other = sdkHeader(payload, 'whsec_old_0123456789abcdefghijkl', NOW).split(',v1=')[1];
    const header = `t=${NOW},v1=${other},v1=${good},v0=deadbeef`;
    expect(sdkAccepts(payload, header, 'whsec_new')).toBe(true);
    expect(verifyStripeSignature(Buffer.from(payload), header, ['whsec_new'], TOLERANCE, NOW).valid).toBe(
      true,
    );
  });

  it.each([
    [0, true],
    [TOLERANCE - 1, true],
    [TOLERANCE, true],
    [TOLERANCE + 1, false],
    [3600, false],
  ])('a signature %i s old is accepted: %s (same edge as the SDK)', (age, accepted) => {
    const payload = '{"id":"evt_age"}';
    const header = sdkHeader(payload, 'whsec_alpha', NOW - age);
    expect(sdkAccepts(payload, header, 'whsec_alpha')).toBe(accepted);
    expect(verifyStripeSignature(Buffer.from(payload), header, ['whsec_alpha'], TOLERANCE, NOW).valid).toBe(
      accepted,
    );
  });

  it.each([
    [undefined, 'The Stripe-Signature header is missing.'],
    ['', 'The Stripe-Signature header is missing.'],
    ['v1=abc', 'The Stripe-Signature header has no timestamp.'],
    [`t=${NOW}`, 'The Stripe-Signature header has no v1 signature.'],
    [`t=${NOW},v1=not-hex`, 'The Stripe-Signature header has no v1 signature.'],
    [`t=soon,v1=${'a'.repeat(64)}`, 'The Stripe-Signature header has no timestamp.'],
    [`t=${NOW},v1=${'a'.repeat(64)}`, 'No signature matches the payload.'],
  ])('rejects the malformed header %j with a reason', (header, reason) => {
    expect(verifyStripeSignature(Buffer.from('{}'), header, ['whsec_alpha'], TOLERANCE, NOW)).toEqual({
      valid: false,
      reason,
      ...(reason === 'No signature matches the payload.' ? { wrongSecret: true } : {}),
    });
  });
});
