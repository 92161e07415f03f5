import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { createSqsEventQueue } from '../../functions/shared/adapters/sqs-event-queue';
import { createStripeGateway } from '../../functions/shared/adapters/stripe-gateway';
import { reconcileCompletedSessions } from '../../functions/shared/flow/reconcile-sessions';
import { redriveDeadLetters } from '../../scripts/lib/redrive-dead-letters';
import { completeSession } from '../support/checkout';
import { customerWithSubscription } from '../support/fixtures';
import { postJson } from '../support/http';
import { queueDepth, type ServiceStack, startServiceStack } from '../support/service-stack';
import { deliverSignedEvent } from '../support/webhooks';

/** Stripe retries a webhook for up to 3 days (https://docs.stripe.com/webhooks#retries). */
const RETRY_WINDOW = 72 * 3600;
const run = promisify(execFile);
const PROJECT_ROOT = path.join(__dirname, '..', '..');
const tsxScript = (script: string, args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'scripts', script), ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
  });

let stack: ServiceStack;
beforeAll(async () => {
  stack = await startServiceStack({ queue: { fifo: true } });
});
afterAll(() => stack.close());

async function completedSessions(count: number) {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const { customer, subscription } = await customerWithSubscription(stack.stripe);
      const created = await postJson(`${stack.api.url}/checkout-sessions`, {
        customer: customer.id,
        subscription: subscription.id,
      });
      return completeSession(stack.stripeStandIn, created.json.id);
    }),
  );
}

describe('npm run reconcile', () => {
  it('finds completed sessions whose webhook never came, enqueues only those, and they get applied', async () => {
    const [delivered, ...lost] = await completedSessions(3);
    await deliverSignedEvent(stack.webhookUrl, delivered?.event, stack.stripeStandIn.webhookSecret);
    await stack.drainQueue({ retryDelaySeconds: 0 });
    const deps = {
      stripe: createStripeGateway(async () => stack.stripe),
      records: stack.records,
      queue: createSqsEventQueue(stack.sqs.client, stack.sqs.queueUrl),
    };
    const since = Math.floor(Date.now() / 1000) - 3600;

    const dryRun = await reconcileCompletedSessions(deps, {
      since,
      retryWindowSeconds: RETRY_WINDOW,
      dryRun: true,
    });
    expect(dryRun).toMatchObject({ alreadyApplied: 1, enqueued: 2, errors: 0 });
    expect(await stack.queueDepth()).toBe(0);

    const summary = await reconcileCompletedSessions(deps, {
      since,
      retryWindowSeconds: RETRY_WINDOW,
      dryRun: false,
    });
    expect(summary).toMatchObject({ alreadyApplied: 1, enqueued: 2, errors: 0 });
    await stack.drainQueue({ retryDelaySeconds: 0 });
    for (const session of lost) {
      expect((await stack.records.get(session.setupIntent.id))?.status).toBe('applied');
    }
    const again = await reconcileCompletedSessions(deps, {
      since,
      retryWindowSeconds: RETRY_WINDOW,
      dryRun: false,
    });
    expect(again).toMatchObject({ alreadyApplied: 3, enqueued: 0 });
  });

  it('a sweep reaching further back than Stripe’s retry window leaves the older sessions alone', async () => {
    const [old] = await completedSessions(1);
    const deps = {
      stripe: createStripeGateway(async () => stack.stripe),
      records: stack.records,
      queue: createSqsEventQueue(stack.sqs.client, stack.sqs.queueUrl),
    };
    // Four days on, with its records gone: `--since 30d` must not bring the setup back.
    const fourDaysOn = Date.now() + 4 * 86_400_000;
    const summary = await reconcileCompletedSessions(deps, {
      since: Math.floor(fourDaysOn / 1000) - 30 * 86_400,
      retryWindowSeconds: RETRY_WINDOW,
      now: () => fourDaysOn,
      dryRun: false,
    });
    expect(summary.enqueued).toBe(0);
    expect(await stack.queueDepth()).toBe(0);
    expect(await stack.records.get(old?.setupIntent.id ?? '')).toBeUndefined();

    // Today, inside the window, the same sweep does find it.
    const today = await reconcileCompletedSessions(deps, {
      since: Math.floor(Date.now() / 1000) - 30 * 86_400,
      retryWindowSeconds: RETRY_WINDOW,
      dryRun: false,
    });
    expect(today.enqueued).toBe(1);
    await stack.drainQueue({ retryDelaySeconds: 0 });
    expect((await stack.records.get(old?.setupIntent.id ?? ''))?.status).toBe('applied');
  });

  it('runs as a command: --help, and a dry run against the configured environment', async () => {
    const help = await tsxScript('reconcile.ts', ['--help']);
    expect(help.stdout).toContain('--since');
    expect(help.stdout).toContain('--dry-run');
    const dry = await tsxScript('reconcile.ts', ['--since', '1h', '--dry-run'], stack.env);
    expect(dry.stdout).toMatch(/\(dry run\) seen \d+ · already applied \d+ · would enqueue 0/);
    await expect(tsxScript('reconcile.ts', ['--since', 'yesterday'])).rejects.toMatchObject({ code: 2 });
  }, 30_000);
});

describe('npm run redrive', () => {
  it('moves every dead-lettered message back to the queue, and the worker then applies them', async () => {
    const sessions = await completedSessions(2);
    for (const session of sessions) {
      // As the queue's redrive policy leaves them after too many failed receives.
      await stack.sqs.client.send(
        new SendMessageCommand({
          QueueUrl: stack.sqs.deadLetterQueueUrl,
          MessageBody: JSON.stringify({
            eventId: session.event.id,
            eventType: 'checkout.session.completed',
            setupIntentId: session.setupIntent.id,
            sessionId: session.session.id,
            customerId: session.session.customer,
            created: session.event.created,
            livemode: false,
          }),
          MessageGroupId: session.session.customer ?? 'x',
          MessageDeduplicationId: session.event.id,
        }),
      );
    }
    const options = { queueUrl: stack.sqs.queueUrl, deadLetterQueueUrl: stack.sqs.deadLetterQueueUrl };
    expect(await redriveDeadLetters(stack.sqs.client, { ...options, dryRun: true })).toMatchObject({
      waiting: 2,
      moved: 0,
    });
    const result = await redriveDeadLetters(stack.sqs.client, { ...options, dryRun: false });
    expect(result.moved).toBe(2);
    expect(await queueDepth(stack.sqs, stack.sqs.deadLetterQueueUrl)).toBe(0);
    await stack.drainQueue({ retryDelaySeconds: 0 });
    for (const session of sessions) {
      expect((await stack.records.get(session.setupIntent.id))?.status).toBe('applied');
    }
  });

  it('runs as a command with --help and --dry-run', async () => {
    expect((await tsxScript('redrive.ts', ['--help'])).stdout).toContain('--dry-run');
    const dry = await tsxScript('redrive.ts', ['--dry-run'], {
      ...stack.env,
      DEAD_LETTER_QUEUE_URL: stack.sqs.deadLetterQueueUrl,
    });
    expect(dry.stdout).toContain('(dry run) 0 message(s) wait in the dead-letter queue');
  }, 30_000);
});
