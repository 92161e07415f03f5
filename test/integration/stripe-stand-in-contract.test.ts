/*
 * Oracle: the pinned `stripe` package's own declarations (node_modules/stripe/cjs/resources/*.d.ts, which
 * Stripe generates from its OpenAPI spec for API 2026-10-28.endive), turned into JSON Schemas by
 * ts-json-schema-generator (`npm run stripe-schemas`) and checked with ajv on every stand-in request and
 * answer. Error shapes follow https://docs.stripe.com/api/errors (`parameter_unknown`, `param`).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import Stripe from 'stripe';
import { type StripeStandIn, startStripeStandIn } from '../../dev/stripe-stand-in';
import { takeContractViolations } from '../../dev/stripe-stand-in/contract/answer-check';
import { readSdkSource } from '../../dev/stripe-stand-in/contract/sdk-source';
import { buildStripeSchemas, STRIPE_SCHEMAS_FILE } from '../../scripts/stripe-schemas/generate';

const REPO = path.join(__dirname, '..', '..');
let standIn: StripeStandIn;
let stripe: Stripe;

beforeAll(async () => {
  standIn = await startStripeStandIn();
  stripe = new Stripe('sk_test_contract', { ...standIn.sdkOptions, maxNetworkRetries: 0 });
});
afterAll(() => standIn.close());
afterEach(() => standIn.reset());

async function failure(call: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof Stripe.errors.StripeError))
    throw new Error(`expected a StripeError, got ${String(error)}`);
  return error;
}

describe('the committed schemas are the pinned SDK’s', () => {
  const committed = JSON.parse(readFileSync(STRIPE_SCHEMAS_FILE, 'utf8'));

  it('were generated from the installed stripe package (version, OPENAPI_VERSION, API version, declarations)', () => {
    // Fails after `npm install stripe@…` until `npm run stripe-schemas` is run and the result committed.
    expect(committed.source).toEqual(readSdkSource());
    expect(committed.source.apiVersion).toBe(Stripe.API_VERSION);
  });

  it('are what the generator writes from them today', () => {
    expect(buildStripeSchemas()).toEqual(committed);
  }, 120_000);
});

describe('requests: a parameter the SDK does not declare is Stripe’s 400', () => {
  it('answers parameter_unknown naming it, at the top level', async () => {
    const error = await failure(stripe.customers.create({ colour: 'blue' } as Stripe.CustomerCreateParams));
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({
      statusCode: 400,
      type: 'StripeInvalidRequestError',
      rawType: 'invalid_request_error',
      code: 'parameter_unknown',
      param: 'colour',
      message: 'Received unknown parameter: colour',
    });
    expect(standIn.store.customers.size).toBe(0);
  });

  it('names a nested unknown parameter by its bracketed path', async () => {
    const customer = await stripe.customers.create();
    const error = await failure(
      stripe.checkout.sessions.create({
        mode: 'setup',
        customer: customer.id,
        currency: 'usd',
        success_url: 'https://example.com/done',
        setup_intent_data: {
          metadata: { a: 'b' },
          colour: 'blue',
        } as Stripe.Checkout.SessionCreateParams.SetupIntentData,
      }),
    );
    expect(error).toMatchObject({ code: 'parameter_unknown', param: 'setup_intent_data[colour]' });
    expect(error.message).toBe('Received unknown parameter: setup_intent_data[colour]');
  });

  it('refuses a value of the wrong type for a declared parameter (form-encoded numbers and booleans)', async () => {
    const limit = await failure(stripe.customers.list({ limit: 'ten' as unknown as number }));
    expect(limit).toMatchObject({ statusCode: 400, code: 'parameter_invalid_integer', param: 'limit' });
    const offSession = await failure(
      stripe.invoices.pay('in_missing', { off_session: 'maybe' as unknown as boolean }),
    );
    expect(offSession).toMatchObject({
      statusCode: 400,
      param: 'off_session',
      message: 'Invalid boolean: maybe',
    });
  });

  it('accepts what the SDK declares even where the stand-in stores nothing for it', async () => {
    const customer = await stripe.customers.create({ phone: '+15555550100', preferred_locales: ['en'] });
    expect(customer.object).toBe('customer');
    const list = await stripe.customers.list({ limit: 3, created: { gte: 0 } });
    expect(list.object).toBe('list');
  });
});

describe('answers: a field Stripe does not have, or a required one missing, fails the run', () => {
  it('answers 500 for a customer with a field the SDK does not declare, and records the violation', async () => {
    const customer = await stripe.customers.create();
    Object.assign(standIn.store.customers.get(customer.id) ?? {}, { not_a_stripe_field: true });

    const error = await failure(stripe.customers.retrieve(customer.id));

    expect(error).toMatchObject({ statusCode: 500, type: 'StripeAPIError' });
    expect(error.message).toContain('not_a_stripe_field');
    const violations = takeContractViolations();
    expect(violations).toHaveLength(1);
    expect(violations[0]).toContain(`GET /v1/customers/${customer.id}`);
    expect(violations[0]).toContain('must NOT have additional properties (not_a_stripe_field)');
  });

  it('answers 500 for a subscription missing a field the SDK requires', async () => {
    const customer = await stripe.customers.create();
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: 'price_basic' }],
    });
    const stored = standIn.store.subscriptions.get(subscription.id) as unknown as Record<string, unknown>;
    delete stored.billing_mode;

    const error = await failure(stripe.subscriptions.retrieve(subscription.id));

    expect(error.statusCode).toBe(500);
    expect(takeContractViolations()).toEqual([
      expect.stringContaining("must have required property 'billing_mode'"),
    ]);
  });

  it('refuses to record an event whose object is not the one its type declares', () => {
    expect(() => standIn.store.recordEvent('setup_intent.succeeded', { id: 'seti_broken' }, false)).toThrow(
      /not a Stripe SetupIntentSucceededEvent/,
    );
    expect(standIn.store.events.size).toBe(0);
    expect(takeContractViolations()).toHaveLength(1);
  });

  it('fails a test file whose stand-in broke the contract even though its test passed', async () => {
    const run = promisify(execFile)(
      process.execPath,
      [
        path.join(REPO, 'node_modules', 'jest', 'bin', 'jest.js'),
        '--ci',
        '--roots',
        '<rootDir>/test/fixtures',
        '--testMatch',
        '**/contract-violation.fixture.ts',
      ],
      { cwd: REPO, env: { ...process.env, CI: 'true', FORCE_COLOR: '0' } },
    );
    const outcome = await run.then(
      () => ({ code: 0, output: '' }),
      (error: { code: number; stdout: string; stderr: string }) => ({
        code: error.code,
        output: `${error.stdout}${error.stderr}`,
      }),
    );
    expect(outcome.code).toBe(1);
    // The test itself passed; the file failed in the contract check after it.
    expect(outcome.output).toMatch(/Tests:\s+1 passed, 1 total/);
    expect(outcome.output).toContain('FAIL test/fixtures/contract-violation.fixture.ts');
    expect(outcome.output).toContain("broke the contract of the pinned stripe SDK's declarations 1 time(s)");
    expect(outcome.output).toContain('not_a_stripe_field');
  }, 120_000);
});
