import { runDuplicateStorm } from '../test/support/duplicate-storm';
import { startServiceStack } from '../test/support/service-stack';
import { parseArgs, progressLine, runCli } from './lib/cli';

const USAGE = `npm run soak -- [--sessions 1000] [--deliveries 5] [--faults 0.1] [--workers 2]

Runs the duplicate storm on the local stack (stand-ins only, no network): every session completed, each
delivered several times at once (half through the signed webhook, half through the status path), Stripe
failing a share of requests (429 rate_limit, 429 lock_timeout, 500, dropped connections), one worker process killed mid-setup. Prints what Stripe saw.

  --sessions <n>     setups (default 1000)
  --deliveries <n>   deliveries per setup (default 5)
  --faults <p>       share of Stripe requests that fail (default 0.1)
  --workers <n>      concurrent worker instances (default 2)
  --help             this text
`;

runCli(async () => {
  const args = parseArgs(process.argv.slice(2), ['--sessions', '--deliveries', '--faults', '--workers']);
  if (args.flags.has('--help')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const number = (name: string, fallback: number) => Number(args.values.get(name) ?? fallback);
  const stack = await startServiceStack({
    queue: { fifo: true, visibilityTimeoutSeconds: 4, maxReceiveCount: 10 },
    env: { CLAIM_SECONDS: '2' },
  });
  try {
    const report = await runDuplicateStorm(stack, {
      sessions: number('--sessions', 1000),
      deliveriesPerSession: number('--deliveries', 5),
      faultProbability: number('--faults', 0.1),
      workers: number('--workers', 2),
      killAWorker: true,
      timeoutMs: 600_000,
      onProgress: (done, total, phase) => progressLine(phase.padEnd(18), done, total),
    });
    const rows: [string, string | number][] = [
      ['sessions', report.sessions],
      ['deliveries', report.deliveries],
      ['effects per default (min/max)', `${report.effectsPerSession.min}/${report.effectsPerSession.max}`],
      [
        'Stripe writes per session (min/mean/max)',
        `${report.stripeWritesPerSession.min}/${report.stripeWritesPerSession.mean}/${report.stripeWritesPerSession.max}`,
      ],
      ['lost', report.lost],
      ['doubled', report.doubled],
      ['DLQ depth', report.deadLetterDepth],
      ['workers killed mid-setup', report.killedWorkers],
      ['wall time', `${(report.wallMs / 1000).toFixed(1)} s`],
    ];
    process.stdout.write(`\n${rows.map(([label, value]) => `${label.padEnd(42)} ${value}`).join('\n')}\n`);
    return report.lost === 0 && report.doubled === 0 && report.deadLetterDepth === 0 ? 0 : 1;
  } finally {
    await stack.close();
  }
}, USAGE);
