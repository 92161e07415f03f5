import { runDuplicateStorm, type StormReport } from '../support/duplicate-storm';
import { type ServiceStack, startServiceStack } from '../support/service-stack';

/*
 * The duplicate storm with AWS failing instead of Stripe: a share of the functions' DynamoDB, SQS,
 * EventBridge and Secrets Manager calls answered with AWS's own errors (throttling, 5xx, a refused
 * PutEvents entry) or applied with their answer lost. The seed is printed; AWS_FAULT_SEED=<seed> replays
 * the same faults for the same calls.
 */

const seed = Number(process.env.AWS_FAULT_SEED ?? Math.floor(Math.random() * 1_000_000));

function expectExactlyOnce(report: StormReport) {
  // The faults really happened, among them writes applied whose answer was lost.
  const kinds = Object.keys(report.awsFaults);
  expect(kinds.some((kind) => kind.startsWith('dynamodb '))).toBe(true);
  expect(kinds.some((kind) => kind.endsWith(' lost_answer'))).toBe(true);

  expect(report.lost).toBe(0);
  expect(report.doubled).toBe(0);
  // One Stripe update per default per setup, counted on the stand-in's request log.
  expect(report.writesPerDefault).toEqual({ min: 1, max: 1 });
  expect(report.effectsPerSession).toEqual({ min: 1, max: 1 });
  expect(report.deadLetterDepth).toBe(0);
  expect(report.queueDepth).toBe(0);
}

describe('exactly one effect per setup while AWS fails: 10 %, redelivered at once', () => {
  let stack: ServiceStack;
  beforeAll(async () => {
    // The claim is the stack's 120 s: a setup stalled on a claim nobody holds would outlast the storm's
    // timeout and count as lost.
    stack = await startServiceStack({
      awsFaults: true,
      queue: { fifo: true, visibilityTimeoutSeconds: 30, maxReceiveCount: 10 },
      env: { CLAIM_SECONDS: '120' },
    });
  });
  afterAll(() => stack.close());

  it(`30 sessions × 3 deliveries (half via the status path), 10 % AWS faults (seed ${seed})`, async () => {
    const report = await runDuplicateStorm(stack, {
      sessions: 30,
      deliveriesPerSession: 3,
      faultProbability: 0,
      awsFaults: { probability: 0.1, seed },
      killAWorker: false,
      workers: 2,
      // Failed messages come straight back: many more attempts within the test's time.
      redeliveryDelaySeconds: 0,
      timeoutMs: 20_000,
    });
    console.log(`AWS-fault storm at 10 % (AWS_FAULT_SEED=${seed}): ${JSON.stringify(report)}`);
    expectExactlyOnce(report);
  }, 60_000);
});

describe('exactly one effect per setup while AWS fails: 25 %, redelivered as Lambda does', () => {
  const timings = { visibilityTimeoutSeconds: 20, claimSeconds: 8 };
  let stack: ServiceStack;
  beforeAll(async () => {
    // The deployed order, scaled down: an attempt < the claim < the visibility timeout (120 s < 360 s).
    // A failed message comes back after the visibility timeout, as Lambda's event source leaves it, so the
    // 25 % of failing calls cost receives, not the dead-letter queue (maxReceiveCount 5, as deployed).
    stack = await startServiceStack({
      awsFaults: true,
      queue: { fifo: true, visibilityTimeoutSeconds: timings.visibilityTimeoutSeconds, maxReceiveCount: 5 },
      env: { CLAIM_SECONDS: String(timings.claimSeconds) },
    });
  });
  afterAll(() => stack.close());

  it(`30 sessions × 3 deliveries, 25 % AWS faults (seed ${seed}); settled within one visibility timeout and one attempt`, async () => {
    const report = await runDuplicateStorm(stack, {
      sessions: 30,
      deliveriesPerSession: 3,
      faultProbability: 0,
      awsFaults: { probability: 0.25, seed },
      killAWorker: false,
      workers: 2,
      timeoutMs: 90_000,
    });
    console.log(`AWS-fault storm at 25 % (AWS_FAULT_SEED=${seed}): ${JSON.stringify(report)}`);
    expectExactlyOnce(report);
    expect(report.settledAfterFaultsMs).toBeLessThanOrEqual(
      (timings.visibilityTimeoutSeconds + timings.claimSeconds) * 1000,
    );
  }, 150_000);
});
