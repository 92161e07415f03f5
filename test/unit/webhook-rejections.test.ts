import { toHttpApiEvent } from '../../dev/http-api/event';
import { signPayload } from '../../dev/stripe-stand-in';
import type { Logger } from '../../functions/shared/logger';
import type { ServiceMetric } from '../../functions/shared/observability';
import { buildStripeWebhookHandler } from '../../functions/stripe-webhook/handler';

/*
 * Stripe signs each delivery with the endpoint's secret and its own current time
 * (https://docs.stripe.com/webhooks#verify-manually: `t=<timestamp>,v1=<HMAC-SHA256 of "t.payload">`). A
 * delivery Stripe made but this deployment cannot verify looks exactly so: well formed, fresh, not matching.
 * Only that is worth an operator's alarm; the endpoint is public, and junk from anyone must not raise it.
 */

const SECRET = 'whsec_configured0123456789';
const NOW = 1_800_000_000;
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

function webhookCounting() {
  const counted: ServiceMetric[] = [];
  const handler = buildStripeWebhookHandler({
    completions: { record: async () => {}, get: async () => undefined },
    recoveryQueue: {
      enqueue: async () => {
        throw new Error('no recovery event is sent here');
      },
    },
    queue: {
      enqueue: async () => {
        throw new Error('nothing refused may be enqueued');
      },
    },
    signingSecrets: async () => [SECRET],
    webhook: { toleranceSeconds: 300 },
    stripeMode: 'test',
    log: quiet,
    metrics: { count: (metric) => counted.push(metric) },
    now: () => NOW * 1000,
  });
  const deliver = (
    signature: string | undefined,
    body = '{"id":"evt_1","type":"checkout.session.completed"}',
  ) =>
    handler(
      toHttpApiEvent({
        method: 'POST',
        url: '/webhooks/stripe',
        headers: {
          'content-type': 'application/json',
          ...(signature ? { 'stripe-signature': signature } : {}),
        },
        body,
      }),
    );
  return { counted, deliver };
}

const hmac = '0'.repeat(64);

it.each([
  ['no signature header', undefined],
  ['a header that is not Stripe’s format', 'junk'],
  ['a timestamp without a signature', `t=${NOW}`],
  ['a made-up signature dated an hour ago', `t=${NOW - 3600},v1=${hmac}`],
  ['a made-up signature dated a day ahead', `t=${NOW + 86_400},v1=${hmac}`],
])('%s is refused with 400 and raises no alarm', async (_label, signature) => {
  const { counted, deliver } = webhookCounting();
  const result = await deliver(signature);
  expect(result.statusCode).toBe(400);
  expect(counted).toEqual([]);
});

it('a fresh, well-formed signature made with another secret is counted for the alarm', async () => {
  const { counted, deliver } = webhookCounting();
  const body = '{"id":"evt_2","type":"checkout.session.completed"}';
  const signature = signPayload(body, 'whsec_another0123456789', NOW);
  const result = await deliver(signature, body);
  expect(result.statusCode).toBe(400);
  expect(counted).toEqual(['WebhookRejections']);
});
