import { takeContractViolations } from '../dev/stripe-stand-in/contract/answer-check';
import { runDuplicateStorm } from '../test/support/duplicate-storm';
import { runRecoveryStorm } from '../test/support/recovery-storm';
import { startServiceStack } from '../test/support/service-stack';
import { parseArgs, progressLine, runCli } from './lib/cli';
import { runOutageCli } from './soak/outage';

const USAGE = `npm run soak -- [--sessions 1000] [--deliveries 5] [--faults 0.1] [--aws-faults 0.1] [--seed n] [--workers 2]

Runs the duplicate storm on the local stack (stand-ins only, no network): every session completed, each
delivered several times at once (half through the signed webhook, half through the status path), Stripe
failing a share of requests (429 rate_limit, 429 lock_timeout, 500, dropped connections), webhook deliveries
of either handled event (checkout.session.completed, setup_intent.succeeded; only the first with --aws-faults),
one worker process killed mid-setup.
Prints what Stripe saw; every stand-in answer is checked against the pinned SDK's declarations.

  --sessions <n>     setups (default 1000)
  --deliveries <n>   deliveries per setup (default 5)
  --faults <p>       share of Stripe requests that fail (default 0.1; 0 with --aws-faults)
  --aws-faults <p>   share of the functions' DynamoDB, SQS, EventBridge and Secrets Manager calls that fail
                     with AWS's own errors or lose their answer, until every setup was attempted once
  --seed <n>         seed of the AWS faults (default random; printed, and replays the same faults)
  --workers <n>      concurrent worker instances (default 2)
  --recovery-customers <n>
                     then the recovery phase: customers whose renewal is declined, whose default changes
                     elsewhere, or who are deleted; every recovery event delivered --deliveries times, all
                     shuffled, with the same share of Stripe faults (default 90; 0 skips it)
  --timeout <s>      give up waiting for the setups after this long (default 600)
  --stripe-outage <d> instead of the storm, the outage drill: Stripe answers every request 503 for <d>
                     (e.g. 6h), on a clock compressed so it lasts about 4 minutes; setups arrive before
                     and during it (--sessions, default 150 here), then Stripe recovers
  --aws-outage <d>   the same with every DynamoDB, SQS, EventBridge and Secrets Manager call failing
  --help             this text
`;

/**
 * Seconds a received message stays hidden, and a claim holds. Short, so a killed worker's message comes back
 * quickly; under AWS faults longer, because the SDK's backoff between retries of throttled calls stretches
 * one attempt, and the deployed stack's order must hold: claim < visibility timeout (120 s < 360 s), each
 * longer than an attempt. The visibility timeout bounds how long a setup may wait after the faults stop.
 */
const TIMINGS = {
  stripeFaults: { visibilityTimeoutSeconds: 4, claimSeconds: 2 },
  awsFaults: { visibilityTimeoutSeconds: 30, claimSeconds: 10 },
};

runCli(async () => {
  const args = parseArgs(process.argv.slice(2), [
    '--sessions',
    '--deliveries',
    '--faults',
    '--aws-faults',
    '--seed',
    '--workers',
    '--recovery-customers',
    '--timeout',
    '--stripe-outage',
    '--aws-outage',
  ]);
  if (args.flags.has('--help')) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (args.values.has('--stripe-outage') || args.values.has('--aws-outage')) return runOutageCli(args);
  const number = (name: string, fallback: number) => Number(args.values.get(name) ?? fallback);
  const awsFaultShare = args.values.has('--aws-faults') ? number('--aws-faults', 0) : undefined;
  const seed = number('--seed', Math.floor(Math.random() * 1_000_000));
  if (awsFaultShare !== undefined) process.stdout.write(`AWS faults ${awsFaultShare}, seed ${seed}\n`);
  // The functions' EMF metric lines would bury the report; the soak counts on the stand-ins instead.
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const timings = awsFaultShare === undefined ? TIMINGS.stripeFaults : TIMINGS.awsFaults;
  const stack = await startServiceStack({
    queue: { fifo: true, visibilityTimeoutSeconds: timings.visibilityTimeoutSeconds, maxReceiveCount: 10 },
    env: { CLAIM_SECONDS: String(timings.claimSeconds) },
    awsFaults: awsFaultShare !== undefined,
  });
  try {
    const report = await runDuplicateStorm(stack, {
      sessions: number('--sessions', 1000),
      deliveriesPerSession: number('--deliveries', 5),
      faultProbability: number('--faults', awsFaultShare === undefined ? 0.1 : 0),
      ...(awsFaultShare !== undefined ? { awsFaults: { probability: awsFaultShare, seed } } : {}),
      workers: number('--workers', 2),
      killAWorker: true,
      timeoutMs: number('--timeout', 600) * 1000,
      onProgress: (done, total, phase) => progressLine(phase.padEnd(18), done, total),
    });
    const recoveryCustomers = number('--recovery-customers', 90);
    const recovery =
      recoveryCustomers > 0
        ? await runRecoveryStorm(stack, {
            customers: recoveryCustomers,
            deliveries: number('--deliveries', 5),
            faultProbability: number('--faults', 0.1),
            workers: number('--workers', 2),
            seed,
            timeoutMs: number('--timeout', 600) * 1000,
            onProgress: (done, total, phase) => progressLine(phase.padEnd(18), done, total),
          })
        : undefined;
    // Every stand-in answer was checked against the pinned SDK's declarations; any that broke it counts.
    const violations = takeContractViolations();
    const rows: [string, string | number][] = [
      ['sessions', report.sessions],
      ['deliveries', report.deliveries],
      ['effects per default (min/max)', `${report.effectsPerSession.min}/${report.effectsPerSession.max}`],
      [
        'Stripe writes per session (min/mean/max)',
        `${report.stripeWritesPerSession.min}/${report.stripeWritesPerSession.mean}/${report.stripeWritesPerSession.max}`,
      ],
      [
        'Stripe updates per default (min/max)',
        `${report.writesPerDefault.min}/${report.writesPerDefault.max}`,
      ],
      [
        'Stripe faults answered',
        Object.entries(report.stripeFaults)
          .map(([kind, count]) => `${kind} ${count}`)
          .join(', ') || 'none',
      ],
      ...(awsFaultShare !== undefined
        ? ([
            ['AWS faults injected', Object.values(report.awsFaults).reduce((sum, count) => sum + count, 0)],
            [
              '  by kind',
              Object.entries(report.awsFaults)
                .map(([kind, count]) => `${kind} ${count}`)
                .join(', '),
            ],
            ['settled after faults stopped', `${(report.settledAfterFaultsMs / 1000).toFixed(1)} s`],
            ['seed', seed],
          ] as [string, string | number][])
        : []),
      ['lost', report.lost],
      ...(report.unfinished.length > 0
        ? ([['  unfinished', JSON.stringify(report.unfinished)]] as [string, string][])
        : []),
      ['doubled', report.doubled],
      ['DLQ depth', report.deadLetterDepth],
      ['queue depth', report.queueDepth],
      ['workers killed mid-setup', report.killedWorkers],
      ...(recovery
        ? ([
            [
              'recovery events queued, by type',
              Object.entries(recovery.byType)
                .map(([type, count]) => `${type} ${count}`)
                .join(', '),
            ],
            ['recovery deliveries (shuffled)', recovery.deliveries],
            [
              'recovery Stripe faults answered',
              Object.entries(recovery.stripeFaults)
                .map(([kind, count]) => `${kind} ${count}`)
                .join(', ') || 'none',
            ],
            [
              'recovery outcome events',
              Object.entries(recovery.outcomeEvents)
                .map(([type, count]) => `${type} ${count}`)
                .join(', '),
            ],
          ] as [string, string | number][])
        : []),
      ['stand-in contract violations', violations.length],
      ['wall time', `${(report.wallMs / 1000).toFixed(1)} s`],
    ];
    process.stdout.write(`\n${rows.map(([label, value]) => `${label.padEnd(42)} ${value}`).join('\n')}\n`);
    if (recovery)
      process.stdout.write(
        `recovery events: handled ${recovery.handled}/${recovery.events}, doubled ${recovery.doubled}, lost ${recovery.lost}\n`,
      );
    // A message that failed just before the faults stopped is received again one visibility timeout later,
    // and its attempt then lasts less than a claim (the stack's order: attempt < claim < visibility timeout).
    const settleBoundSeconds = timings.visibilityTimeoutSeconds + timings.claimSeconds;
    const stalled = report.settledAfterFaultsMs > settleBoundSeconds * 1000;
    if (stalled)
      process.stdout.write(
        `setups still waiting more than one visibility timeout and one attempt (${settleBoundSeconds} s) after the faults stopped\n`,
      );
    const held =
      report.lost === 0 &&
      report.doubled === 0 &&
      report.writesPerDefault.max === 1 &&
      report.deadLetterDepth === 0 &&
      violations.length === 0 &&
      !stalled &&
      (!recovery ||
        (recovery.handled === recovery.events &&
          recovery.doubled === 0 &&
          recovery.lost === 0 &&
          recovery.deadLetterDepth === 0));
    for (const violation of violations.slice(0, 5))
      process.stdout.write(`contract violation: ${violation}\n`);
    if (!held && awsFaultShare !== undefined)
      process.stdout.write(`replay: npm run soak -- --aws-faults ${awsFaultShare} --seed ${seed}\n`);
    return held ? 0 : 1;
  } finally {
    await stack.close();
  }
}, USAGE);
