/*
 * What every load driver shares. A driver runs in its own Node process (bench/support/child.ts), loads one
 * deployed bundle exactly as Lambda would (`require`, then `handler`), puts its load through it and sends
 * its numbers back with the process's peak resident memory.
 */

export function driverParams<T>(): T {
  return JSON.parse(process.env.BENCH_PARAMS ?? '{}') as T;
}

/** The deployed bundle named by BENCH_BUNDLE: its module-level wiring runs here, as at a cold start. */
export function loadHandler<H>(): H {
  const bundle = process.env.BENCH_BUNDLE;
  if (!bundle) throw new Error('BENCH_BUNDLE is not set');
  // A path known only at run time: required as Lambda's runtime does, not bundled into the driver.
  const loaded = require(bundle) as { handler?: H };
  if (typeof loaded.handler !== 'function') throw new Error(`${bundle} exports no handler`);
  return loaded.handler;
}

/** Runs the load, then reports `result` plus peak RSS (the OS high-water mark) to the parent and exits. */
export function runDriver(load: () => Promise<object>): void {
  load().then(
    (result) => {
      const maxRssBytes = process.resourceUsage().maxRSS * 1024;
      process.send?.({ report: { ...result, maxRssBytes } }, () => process.exit(0));
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

/** Answers the bench's requests one at a time (see startInteractiveDriver) until it sends `{ stop: true }`. */
export function serveRequests(answer: (message: Record<string, unknown>) => Promise<unknown>): Promise<void> {
  return new Promise((resolve, reject) => {
    process.on('message', (message: Record<string, unknown>) => {
      if (message.stop) {
        process.removeAllListeners('message');
        resolve();
        return;
      }
      answer(message).then((reply) => process.send?.({ reply }), reject);
    });
  });
}

/** Resident memory now, for the figure's context: what the process held right after loading the bundle. */
export const rssBytes = () => process.memoryUsage.rss();
