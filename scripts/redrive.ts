import { createSqsClient } from '../functions/shared/aws-clients/sqs';
import { readQueueUrl } from '../functions/shared/config';
import { parseArgs, progressLine, runCli, UsageError } from './lib/cli';
import { redriveDeadLetters } from './lib/redrive-dead-letters';

const USAGE = `npm run redrive -- [--dry-run]

Moves every message in the dead-letter queue back to the setup queue, so the worker tries it again (after
fixing what made it fail: see the DeadLetterQueueNotEmpty alarm and the worker's logs). Replays are
harmless: each setup is applied at most once.

  --dry-run   report how many messages wait in the dead-letter queue, move nothing
  --help      this text

Configuration: QUEUE_URL and DEAD_LETTER_QUEUE_URL (stack outputs), AWS credentials and region.
`;

runCli(async () => {
  const args = parseArgs(process.argv.slice(2), []);
  if (args.flags.has('--help')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const deadLetterQueueUrl = process.env.DEAD_LETTER_QUEUE_URL?.trim();
  if (!deadLetterQueueUrl) throw new UsageError('DEAD_LETTER_QUEUE_URL is not set');
  const dryRun = args.flags.has('--dry-run');
  const result = await redriveDeadLetters(createSqsClient(), {
    queueUrl: readQueueUrl(process.env),
    deadLetterQueueUrl,
    dryRun,
    onProgress: (moved, total) => progressLine('moved', moved, total),
  });
  process.stdout.write(
    dryRun
      ? `(dry run) ${result.waiting} message(s) wait in the dead-letter queue\n`
      : `${process.stderr.isTTY ? '\n' : ''}moved ${result.moved} of ${result.waiting} message(s) back (${result.method})\n`,
  );
  return 0;
}, USAGE);
