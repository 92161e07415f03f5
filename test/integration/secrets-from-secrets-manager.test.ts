import { toHttpApiEvent } from '../../dev/http-api/event';
import { drainQueue } from '../../dev/local-aws/sqs-event-source';
import { wireSetupWorker } from '../../functions/setup-worker/wiring';
import { wireStripeWebhook } from '../../functions/stripe-webhook/wiring';
import { completeSession } from '../support/checkout';
import { customerWithSubscription, defaultsOf } from '../support/fixtures';
import { postJson } from '../support/http';
import { type SecretsManagerStandIn, startSecretsManagerStandIn } from '../support/secrets-manager-stand-in';
import { type ServiceStack, startServiceStack } from '../support/service-stack';
import { signedWebhookEvent } from '../support/webhooks';

let stack: ServiceStack;
let secretsManager: SecretsManagerStandIn;

beforeAll(async () => {
  [stack, secretsManager] = await Promise.all([startServiceStack(), startSecretsManagerStandIn()]);
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = secretsManager.endpoint;
});
afterAll(async () => {
  await Promise.all([stack.close(), secretsManager.close()]);
});

describe('secrets read from Secrets Manager by ARN, as a deployed stack does', () => {
  it('the webhook verifies and the worker calls Stripe with secrets it read (and cached) at run time', async () => {
    const { STRIPE_SECRET_KEY: _key, STRIPE_WEBHOOK_SECRET: _secret, ...envWithoutSecrets } = stack.env;
    const env = {
      ...envWithoutSecrets,
      STRIPE_SECRET_KEY_ARN: secretsManager.put('stripe/api-key', 'rk_test_fromsecretsmanager_0123456789'),
      // Mid-rotation: the old and the new signing secret are both accepted.
      STRIPE_WEBHOOK_SECRET_ARN: secretsManager.put(
        'stripe/webhook',
        `whsec_old_0123456789abcdefghijkl,${stack.stripeStandIn.webhookSecret}`,
      ),
    };
    const webhook = wireStripeWebhook(env);
    const worker = wireSetupWorker(env);

    const { customer, subscription } = await customerWithSubscription(stack.stripe);
    const created = await postJson(`${stack.api.url}/checkout-sessions`, {
      customer: customer.id,
      subscription: subscription.id,
    });
    const { event, paymentMethod } = await completeSession(stack.stripeStandIn, created.json.id);
    const deliver = () => webhook(signedWebhookEvent(event, stack.stripeStandIn.webhookSecret));
    expect((await deliver()).statusCode).toBe(200);
    expect((await deliver()).statusCode).toBe(200);

    stack.stripeStandIn.clearRequests();
    await drainQueue(stack.sqs.client, stack.sqs.queueUrl, worker, { retryDelaySeconds: 0 });
    expect(await defaultsOf(stack.stripe, customer.id, subscription.id)).toEqual({
      customerDefault: paymentMethod.id,
      subscriptionDefault: paymentMethod.id,
    });
    // Each secret was fetched once and then served from the cache.
    expect(secretsManager.reads.filter((arn) => arn.includes('stripe/webhook'))).toHaveLength(1);
    expect(secretsManager.reads.filter((arn) => arn.includes('stripe/api-key'))).toHaveLength(1);
  });

  it('the webhook answers 503 (Stripe retries) when its secret cannot be read', async () => {
    const { STRIPE_WEBHOOK_SECRET: _secret, ...envWithoutSecret } = stack.env;
    const webhook = wireStripeWebhook({
      ...envWithoutSecret,
      STRIPE_WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:missing-AbCdEf',
    });
    const result = await webhook(toHttpApiEvent({ method: 'POST', url: '/webhooks/stripe', body: '{}' }));
    expect(result.statusCode).toBe(503);
  });
});
