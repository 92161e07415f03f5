import { fork } from 'node:child_process';
import { driverFile, type LoadDriver } from './bundles';

export interface DriverReport {
  maxRssBytes: number;
}

/**
 * Runs a load driver in a fresh Node process with `env` as its whole environment (as a Lambda instance has
 * only its configuration), `--enable-source-maps` as the stack sets in NODE_OPTIONS, and stdout discarded
 * (the functions log a JSON line per request, as they do to CloudWatch).
 */
export function runLoadDriver<T extends object>(
  driver: LoadDriver,
  bundle: string,
  env: Record<string, string>,
  params: object,
): Promise<T & DriverReport> {
  return new Promise((resolve, reject) => {
    const child = fork(driverFile(driver), [], {
      execArgv: ['--enable-source-maps'],
      env: {
        PATH: process.env.PATH ?? '',
        ...env,
        BENCH_BUNDLE: bundle,
        BENCH_PARAMS: JSON.stringify(params),
      },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    let report: (T & DriverReport) | undefined;
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    child.on('message', (message) => {
      report = message as T & DriverReport;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0 && report) resolve(report);
      else reject(new Error(`load driver ${driver} exited with ${code}: ${stderr.trim()}`));
    });
  });
}
