import { createDynamoDbSetupRecords } from '../functions/shared/adapters/dynamodb-setup-records';
import { createSqsEventQueue } from '../functions/shared/adapters/sqs-event-queue';
import { createStripeGateway } from '../functions/shared/adapters/stripe-gateway';
import { createDynamoDbClient } from '../functions/shared/aws-clients/dynamodb';
import { createSqsClient } from '../functions/shared/aws-clients/sqs';
import {
  readProcessingConfig,
  readQueueUrl,
  readStripeConnection,
  readTableName,
} from '../functions/shared/config';
import { reconcileCompletedSessions, reconcileSince } from '../functions/shared/flow/reconcile-sessions';
import { stripeSecretKeyReader } from '../functions/shared/secrets';
import { stripeClientProvider } from '../functions/shared/stripe-client';
import { parseArgs, parseDuration, progressLine, runCli } from './lib/cli';

const USAGE = `npm run reconcile -- [--since 48h] [--dry-run]

Lists setup-mode Checkout Sessions completed in the window (from Stripe) that this service created, and
enqueues those it has not applied — sessions whose webhook was lost or ran out of retries. Idempotent:
running it twice, or while the webhook is also delivering, changes nothing twice.

  --since <duration>   how far back, e.g. 30m, 48h, 7d (default 48h; Stripe retries webhooks for 3 days)
  --dry-run            report what would be enqueued, enqueue nothing
  --help               this text

Configuration comes from the same environment as the functions: STRIPE_SECRET_KEY or STRIPE_SECRET_KEY_ARN,
TABLE_NAME, QUEUE_URL (see the stack outputs), AWS credentials and region.
`;

runCli(async () => {
  const args = parseArgs(process.argv.slice(2), ['--since']);
  if (args.flags.has('--help')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const sinceSeconds = parseDuration(args.values.get('--since') ?? '48h');
  const dryRun = args.flags.has('--dry-run');
  const env = process.env;
  const processing = readProcessingConfig(env);
  const window = {
    since: Math.floor(Date.now() / 1000) - sinceSeconds,
    retryWindowSeconds: processing.setupRetryWindowHours * 3600,
  };
  if (reconcileSince(window) > window.since) {
    process.stderr.write(
      `--since reaches past the retry window (SETUP_RETRY_WINDOW_HOURS=${processing.setupRetryWindowHours}); older sessions are left alone.\n`,
    );
  }
  const summary = await reconcileCompletedSessions(
    {
      stripe: createStripeGateway(
        stripeClientProvider(stripeSecretKeyReader(env), readStripeConnection(env)),
      ),
      records: createDynamoDbSetupRecords(createDynamoDbClient(), {
        tableName: readTableName(env),
        ...processing,
      }),
      queue: createSqsEventQueue(createSqsClient(), readQueueUrl(env)),
    },
    {
      ...window,
      dryRun,
      onProgress: (progress) => progressLine('sessions checked', progress.seen),
    },
  );
  process.stdout.write(
    `${process.stderr.isTTY ? '\n' : ''}${dryRun ? '(dry run) ' : ''}seen ${summary.seen} · already applied ${summary.alreadyApplied} · ${dryRun ? 'would enqueue' : 'enqueued'} ${summary.enqueued} · failed ${summary.failed} · in progress ${summary.inProgress} · errors ${summary.errors}\n`,
  );
  return summary.errors > 0 ? 1 : 0;
}, USAGE);
