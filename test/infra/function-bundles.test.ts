import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { esbuildOptionsFor, FUNCTION_NAMES } from '../../lib/service-function';

// Inside the project, so the bundles resolve @aws-sdk/* from node_modules as the Lambda runtime provides it.
const OUT_DIR = path.join(__dirname, '..', '..', 'cdk.out', 'bundle-check');

beforeAll(() => {
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });
});

/** Enough configuration for each function's cold start to succeed. */
const COLD_START_ENV = {
  STRIPE_SECRET_KEY: 'sk_test_bundlecheck',
  STRIPE_WEBHOOK_SECRET: 'whsec_bundlecheck',
  QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/setup-events.fifo',
  TABLE_NAME: 'setup-records',
  CHECKOUT_SUCCESS_URL: 'https://app.example.com/done',
  CHECKOUT_CANCEL_URL: 'https://app.example.com/cancel',
  AUTH_MODE: 'jwt',
  JWT_ISSUER: 'https://auth.example.com/',
  JWT_AUDIENCE: 'billing-api',
  STRIPE_MODE: 'test',
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

describe.each(FUNCTION_NAMES)('the %s bundle, built with the stack’s esbuild settings', (functionName) => {
  const outfile = path.join(OUT_DIR, functionName, 'index.js');

  it('builds without errors and loads, exporting a handler', async () => {
    const result = await build(esbuildOptionsFor(functionName, outfile));
    expect(result.errors).toEqual([]);
    expect(statSync(outfile).size).toBeGreaterThan(1000);
    const exported = execFileSync(
      process.execPath,
      ['-e', `process.stdout.write(typeof require(${JSON.stringify(outfile)}).handler)`],
      { env: { ...process.env, ...COLD_START_ENV } },
    ).toString();
    expect(exported).toBe('function');
  });
});

it('a cold start with a missing variable fails at once, naming it', async () => {
  const outfile = path.join(OUT_DIR, 'stripe-webhook-missing-config', 'index.js');
  await build(esbuildOptionsFor('stripe-webhook', outfile));
  const { QUEUE_URL: _missing, ...env } = COLD_START_ENV;
  expect(() =>
    execFileSync(process.execPath, ['-e', `require(${JSON.stringify(outfile)})`], {
      env: { PATH: process.env.PATH, ...env },
      stdio: 'pipe',
    }),
  ).toThrow(/QUEUE_URL is required/);
});

it('an unauthenticated session API warns at every cold start, and an unset AUTH_MODE stops it', async () => {
  const outfile = path.join(OUT_DIR, 'checkout-api-auth-mode', 'index.js');
  await build(esbuildOptionsFor('checkout-api', outfile));
  const coldStart = (env: Record<string, string>) =>
    execFileSync(process.execPath, ['-e', `require(${JSON.stringify(outfile)})`], {
      env: { PATH: process.env.PATH, ...env },
      stdio: 'pipe',
    }).toString();
  const warning = JSON.parse(coldStart({ ...COLD_START_ENV, AUTH_MODE: 'none' }).trim());
  expect(warning).toMatchObject({ level: 'warn', service: 'checkout-api', authMode: 'none' });
  const { AUTH_MODE: _unset, ...env } = COLD_START_ENV;
  expect(() => coldStart(env)).toThrow(/AUTH_MODE is required/);
});
