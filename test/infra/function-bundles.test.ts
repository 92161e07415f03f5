import { execFileSync, spawnSync } from 'node:child_process';
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
  STRIPE_SECRET_KEY: 'sk_test_bundlecheck_0123456789abcdef',
  STRIPE_WEBHOOK_SECRET: 'whsec_bundlecheck_0123456789abcdefgh',
  SETUP_PROOF_SECRET: 'bundle-check-setup-proof-secret-0123456789',
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

/**
 * This process's environment as an on-demand Lambda has it: the local stack, run earlier in the same Jest worker,
 * sets AWS_LAMBDA_MAX_CONCURRENCY (which only Lambda Managed Instances set), and Powertools then expects
 * Lambda's InvokeStore, which a plain `node -e` does not have.
 */
function lambdaOnDemandEnv(): NodeJS.ProcessEnv {
  const { AWS_LAMBDA_MAX_CONCURRENCY: _multiConcurrency, ...env } = process.env;
  return env;
}

describe.each(FUNCTION_NAMES)('the %s bundle, built with the stack’s esbuild settings', (functionName) => {
  const outfile = path.join(OUT_DIR, functionName, 'index.js');

  it('builds without errors and loads, exporting a handler', async () => {
    const result = await build({ ...esbuildOptionsFor(functionName, outfile), metafile: true });
    expect(result.errors).toEqual([]);
    // Nothing of the local stack ships: no stand-in, no demo pages, no POST /_dev/token.
    expect(Object.keys(result.metafile.inputs).filter((input) => input.startsWith('dev/'))).toEqual([]);
    expect(statSync(outfile).size).toBeGreaterThan(1000);
    const exported = execFileSync(
      process.execPath,
      ['-e', `process.stdout.write(typeof require(${JSON.stringify(outfile)}).handler)`],
      { env: { ...lambdaOnDemandEnv(), ...COLD_START_ENV } },
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
  // Powertools writes warnings and errors through console.warn/error, to stderr (Lambda captures both).
  const warning = JSON.parse(
    spawnSync(process.execPath, ['-e', `require(${JSON.stringify(outfile)})`], {
      env: { PATH: process.env.PATH, ...COLD_START_ENV, AUTH_MODE: 'none' },
    }).stderr.toString(),
  );
  expect(warning).toMatchObject({ level: 'WARN', service: 'checkout-api', authMode: 'none' });
  const { AUTH_MODE: _unset, ...env } = COLD_START_ENV;
  expect(() => coldStart(env)).toThrow(/AUTH_MODE is required/);
});

// Oracle: what the Lambda runtime hands a Node.js function (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html):
// a context per invocation and the trace header in _X_AMZN_TRACE_ID, set anew before each invocation.
it('in the deployed bundle, the lines of one invocation share its request id and trace id; metrics follow', async () => {
  const outfile = path.join(OUT_DIR, 'setup-worker-invocations', 'index.js');
  await build(esbuildOptionsFor('setup-worker', outfile));
  const invokeTwice = `
    const { handler } = require(${JSON.stringify(outfile)});
    const record = (id) => ({ messageId: id, body: 'not a setup message', attributes: {} });
    (async () => {
      for (const n of [1, 2]) {
        process.env._X_AMZN_TRACE_ID = 'Root=1-6b0f2e95-00000000000000000000000' + n + ';Parent=53995c3f42cd8ad8;Sampled=1';
        await handler({ Records: [record('m' + n + 'a'), record('m' + n + 'b')] }, {
          awsRequestId: 'request-' + n, functionName: 'setup-worker-prod', functionVersion: '7',
          invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:setup-worker-prod:live',
          memoryLimitInMB: '1024',
        });
      }
    })();`;
  const run = spawnSync(process.execPath, ['-e', invokeTwice], {
    env: {
      PATH: process.env.PATH,
      ...COLD_START_ENV,
      LOG_LEVEL: 'info',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    },
  });
  // Error lines go to stderr (console.error), metrics to stdout; Lambda puts both in the function's log.
  const lines = `${run.stdout}${run.stderr}`
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));
  const logLines = lines.filter((line) => !('_aws' in line));
  const invocations = logLines.map((line) => [line.function_request_id, line.xray_trace_id, line.cold_start]);
  expect(invocations.sort()).toEqual([
    ['request-1', '1-6b0f2e95-000000000000000000000001', true],
    ['request-1', '1-6b0f2e95-000000000000000000000001', true],
    ['request-2', '1-6b0f2e95-000000000000000000000002', false],
    ['request-2', '1-6b0f2e95-000000000000000000000002', false],
  ]);
  for (const line of logLines) {
    expect(line).toMatchObject({
      function_name: 'setup-worker-prod',
      function_version: '7',
      service: 'setup-worker',
    });
  }
  // One EMF document per invocation, flushed at its end, counting both dropped messages.
  expect(lines.filter((line) => '_aws' in line).map((line) => line.PermanentFailures)).toEqual([
    [1, 1],
    [1, 1],
  ]);
});

/*
 * Oracle: Lambda's documented runtime variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN
 * hold the execution role's credentials), the first source of the SDK's default chain. The rest of the chain
 * (ini files, SSO, STS web identity, IMDS and their nested clients) is code a Lambda request never runs.
 */
it.each(FUNCTION_NAMES)('the %s bundle takes credentials from the environment only', async (functionName) => {
  const outfile = path.join(OUT_DIR, `${functionName}-credentials`, 'index.js');
  const result = await build(esbuildOptionsFor(functionName, outfile));
  const inputs = Object.keys(result.metafile?.inputs ?? {});
  expect(
    inputs.filter((input) => /credential-provider-(node|ini|sso|process|web-identity)\//.test(input)),
  ).toEqual([]);
  expect(inputs.filter((input) => input.includes('@aws-sdk/nested-clients/'))).toEqual([]);
  expect(inputs.some((input) => input.includes('@aws-sdk/credential-provider-env/'))).toBe(true);
});
