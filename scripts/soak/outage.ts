import {
  drillStackOptions,
  drillTimings,
  type OutageDrillReport,
  runOutageDrill,
} from '../../test/support/outage-drill';
import { startServiceStack } from '../../test/support/service-stack';
import { type ParsedArgs, parseDuration, progressLine, UsageError } from '../lib/cli';

/** The outage lasts about this long on the wall clock, whatever it simulates. */
const WALL_OUTAGE_SECONDS = 240;

/**
 * `npm run soak -- --stripe-outage 6h` (or `--aws-outage 6h`): the outage drill on the local stack, its clock
 * compressed so the outage takes about four minutes; exits 1 unless every setup was applied exactly once.
 */
export async function runOutageCli(args: ParsedArgs): Promise<number> {
  const kind = args.values.has('--stripe-outage') ? 'stripe' : 'aws';
  const text = args.values.get(kind === 'stripe' ? '--stripe-outage' : '--aws-outage') ?? '';
  const simulatedSeconds = parseDuration(text);
  const sessions = Number(args.values.get('--sessions') ?? 150);
  if (!Number.isInteger(sessions) || sessions < 3) throw new UsageError('--sessions must be 3 or more');
  const compression = Math.max(1, Math.round(simulatedSeconds / WALL_OUTAGE_SECONDS));
  const timings = drillTimings(compression);
  // The functions' EMF metric lines would bury the report.
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.stdout.write(
    `clock compressed ${compression}:1 (simulated ${text} in ${Math.round(simulatedSeconds / compression)} s): ${Object.entries(
      timings,
    )
      .map(([name, { deployed, drill }]) => `${name} ${drill} s (deployed ${deployed} s)`)
      .join(', ')}\n`,
  );
  const stack = await startServiceStack(drillStackOptions(kind, timings));
  let report: OutageDrillReport;
  try {
    report = await runOutageDrill(stack, {
      kind,
      simulatedSeconds,
      compression,
      sessions,
      workers: Number(args.values.get('--workers') ?? 2),
      recoveryTimeoutMs: 120_000,
      onProgress: (done, total, phase) => progressLine(phase.padEnd(18), done, total),
    });
  } finally {
    await stack.close();
  }
  process.stdout.write(
    `\nrecovered in ${(report.recoveredInMs / 1000).toFixed(1)} s after the outage; wall time ${(report.wallMs / 1000).toFixed(1)} s\n`,
  );
  process.stdout.write(
    `outage drill: simulated ${text}, applied ${report.applied}/${report.sessions}, dead-lettered ${report.deadLettered}, lost ${report.lost}, doubled ${report.doubled}, Stripe requests during outage ${report.stripeRequestsDuringOutage}\n`,
  );
  const held = report.applied === report.sessions && report.deadLettered === 0 && report.doubled === 0;
  return held ? 0 : 1;
}
