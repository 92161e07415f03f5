import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { toHttpApiEvent } from '../../dev/http-api/event';
import { localAwsEnvironment } from '../../dev/local-aws/credentials';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../dev/local-aws/dynamodb';
import { type LocalSqs, startLocalSqs } from '../../dev/local-aws/sqs';
import { type StripeStandIn, signPayload, startStripeStandIn } from '../../dev/stripe-stand-in';
import { esbuildOptionsFor } from '../../lib/service-function';
import { cdkJsonContext, synthWithContext } from '../infra/stack-template';
import { type SecretsManagerStandIn, startSecretsManagerStandIn } from '../support/secrets-manager-stand-in';

/*
 * Done-when of issue 11: an unauthenticated test stack (`cdk deploy -c allowUnauthenticated=true`), its
 * functions built exactly as the stack bundles them and configured with the environment the synthesized
 * template gives them, refuses a live key end to end: refused, logged, counted, nothing sent to Stripe.
 * The secrets come from a Secrets Manager stand-in by ARN, as deployed; Stripe is the stand-in, whose
 * request log shows whether anything reached it.
 */

const run = promisify(execFile);
const OUT_DIR = path.join(__dirname, '..', '..', 'cdk.out', 'live-key-check');
const LIVE_KEY = `sk_live_${'7'.repeat(40)}`;
const SIGNING_SECRET = `whsec_${'s'.repeat(40)}`;

type Variables = Record<string, unknown>;
let functionEnv: Record<'checkout-api' | 'stripe-webhook', Variables>;
let stripe: StripeStandIn;
let dynamodb: LocalDynamoDb;
let sqs: LocalSqs;
let secretsManager: SecretsManagerStandIn;

beforeAll(async () => {
  const { template } = synthWithContext({ ...cdkJsonContext(), stage: 'dev', allowUnauthenticated: 'true' });
  const functions = Object.values(template.findResources('AWS::Lambda::Function')) as {
    Properties: { Environment: { Variables: Variables } };
  }[];
  const withVariable = (name: string) => {
    const found = functions.find((fn) => name in fn.Properties.Environment.Variables);
    if (!found) throw new Error(`no function with ${name}`);
    return found.Properties.Environment.Variables;
  };
  functionEnv = {
    'checkout-api': withVariable('CHECKOUT_SUCCESS_URL'),
    'stripe-webhook': withVariable('STRIPE_WEBHOOK_SECRET_ARN'),
  };
  [stripe, dynamodb, sqs, secretsManager] = await Promise.all([
    startStripeStandIn(),
    startLocalDynamoDb(),
    startLocalSqs({ fifo: true }),
    startSecretsManagerStandIn(),
  ]);
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });
}, 120_000);

afterAll(async () => {
  await Promise.all([stripe?.close(), dynamodb?.close(), sqs?.close(), secretsManager?.close()]);
});

/**
 * The template's variables with CloudFormation references (table, queue, secret ARNs) replaced by the
 * stand-ins' values; every literal — AUTH_MODE, STRIPE_MODE, the redirect URLs — is the stack's own.
 */
function deployedEnvironment(variables: Variables, resolved: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(variables)) {
    if (typeof value === 'string') env[name] = value;
    else if (name in resolved) env[name] = resolved[name] as string;
    else throw new Error(`${name} is a CloudFormation reference this test does not resolve`);
  }
  return env;
}

/** Runs one invocation of the bundle in a fresh Node process (a cold start), returning its result and stdout lines. */
async function invokeBundle(
  functionName: 'checkout-api' | 'stripe-webhook',
  env: Record<string, string>,
  event: unknown,
) {
  const outfile = path.join(OUT_DIR, functionName, 'index.js');
  await build(esbuildOptionsFor(functionName, outfile));
  const script = `require(${JSON.stringify(outfile)}).handler(JSON.parse(process.env.TEST_EVENT)).then((result) => process.stdout.write('RESULT ' + JSON.stringify(result) + '\\n'))`;
  const { stdout, stderr } = await run(process.execPath, ['-e', script], {
    env: {
      PATH: process.env.PATH,
      ...localAwsEnvironment({ sqs: sqs.endpoint, dynamodb: dynamodb.endpoint }),
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.endpoint,
      // The deployed stack talks to api.stripe.com; here the stand-in takes its place, to see what arrives.
      STRIPE_API_BASE: stripe.url,
      ...env,
      TEST_EVENT: JSON.stringify(event),
    },
  });
  // Error lines go to stderr (console.error), metrics and the rest to stdout; Lambda logs both.
  const lines = `${stdout}\n${stderr}`
    .split('\n')
    .filter((line) => line.startsWith('{') || line.startsWith('RESULT '));
  const resultLine = lines.find((line) => line.startsWith('RESULT ')) ?? 'RESULT null';
  const records = lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
  return { result: JSON.parse(resultLine.slice('RESULT '.length)), records };
}

describe('an unauthenticated test stack with a live key', () => {
  it('the session API refuses the sk_live_ key: a 503 naming no secret, an error log line, a SecretsRefused count, no Stripe request', async () => {
    stripe.clearRequests();
    const env = deployedEnvironment(functionEnv['checkout-api'], {
      TABLE_NAME: dynamodb.tableName,
      QUEUE_URL: sqs.queueUrl,
      STRIPE_SECRET_KEY_ARN: secretsManager.put('stripe/api-key', LIVE_KEY),
      SETUP_PROOF_SECRET_ARN: secretsManager.put(
        'setup-proof',
        'live-key-test-setup-proof-secret-0123456789',
      ),
    });
    expect(env).toMatchObject({ AUTH_MODE: 'none', STRIPE_MODE: 'test' });
    const event = toHttpApiEvent({
      method: 'POST',
      url: '/checkout-sessions',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customer: 'cus_victim' }),
    });
    const { result, records } = await invokeBundle('checkout-api', env, event);

    expect(result.statusCode).toBe(503);
    expect(JSON.parse(result.body)).toEqual({
      error: { code: 'service_misconfigured', message: expect.any(String) },
    });
    const refusal = records.find(
      (record) => record.message === 'Stripe secret refused; nothing sent to Stripe',
    );
    expect(refusal).toMatchObject({ level: 'ERROR', service: 'checkout-api', errorName: 'SecretRefused' });
    expect(refusal.errorMessage).toMatch(/live-mode key .*unauthenticated/);
    expect(JSON.stringify(records)).not.toContain(LIVE_KEY);
    const metric = records.find((record) => 'SecretsRefused' in record);
    expect(metric).toMatchObject({ service: 'checkout-api', SecretsRefused: 1 });
    expect(metric._aws.CloudWatchMetrics[0].Namespace).toBe(env.METRICS_NAMESPACE);
    expect(secretsManager.reads).toContain(env.STRIPE_SECRET_KEY_ARN);
    expect(stripe.requests).toEqual([]);
  });

  it('its webhook refuses a live-mode event, signed with the right secret, and counts the rejection', async () => {
    const env = deployedEnvironment(functionEnv['stripe-webhook'], {
      TABLE_NAME: dynamodb.tableName,
      QUEUE_URL: sqs.queueUrl,
      STRIPE_WEBHOOK_SECRET_ARN: secretsManager.put('stripe/webhook', SIGNING_SECRET),
    });
    const payload = JSON.stringify({
      id: 'evt_live_1',
      object: 'event',
      type: 'checkout.session.completed',
      created: Math.floor(Date.now() / 1000),
      livemode: true,
      data: { object: { id: 'cs_live_1', object: 'checkout.session', mode: 'setup' } },
    });
    const event = toHttpApiEvent({
      method: 'POST',
      url: '/webhooks/stripe',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': signPayload(payload, SIGNING_SECRET),
      },
      body: payload,
    });
    const { result, records } = await invokeBundle('stripe-webhook', env, event);
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body).error.code).toBe('livemode_mismatch');
    expect(records.find((record) => 'WebhookRejections' in record)).toMatchObject({
      service: 'stripe-webhook',
      WebhookRejections: 1,
    });
  });
});
