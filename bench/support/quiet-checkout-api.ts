import { wireCheckoutApi } from '../../functions/checkout-api/wiring';

/**
 * The real session API handler, wired in this process with its metrics (EMF lines) off: thousands of
 * requests would otherwise print them into the results table. Powertools reads the switch when the handler
 * is wired, so it is restored at once.
 */
export function wireQuietCheckoutApi(env: Record<string, string>): ReturnType<typeof wireCheckoutApi> {
  const metricsSwitch = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  try {
    return wireCheckoutApi(env);
  } finally {
    if (metricsSwitch === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
    else process.env.POWERTOOLS_METRICS_DISABLED = metricsSwitch;
  }
}
