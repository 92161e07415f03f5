import { type ChildProcess, fork } from 'node:child_process';
import { driverFile, type LoadDriver } from './bundles';

export interface DriverReport {
  maxRssBytes: number;
}

/**
 * Runs a load driver in a fresh Node process (`execPath`: the runtime under test) with `env` as its whole
 * environment (as a Lambda instance has only its configuration), `--enable-source-maps` as the stack sets in
 * NODE_OPTIONS, and stdout discarded (the functions log a JSON line per request, as they do to CloudWatch).
 */
export function runLoadDriver<T extends object>(
  driver: LoadDriver,
  bundle: string,
  env: Record<string, string>,
  params: object,
  execPath = process.execPath,
): Promise<T & DriverReport> {
  return startDriver<T>(driver, bundle, env, params, execPath).finished;
}

/** A driver that takes requests from the bench one at a time (bench/load/worker-latency.ts) until `stop`. */
export interface InteractiveDriver<T> {
  request<R>(message: object): Promise<R>;
  stop(): Promise<T & DriverReport>;
}

export function startInteractiveDriver<T extends object>(
  driver: LoadDriver,
  bundle: string,
  env: Record<string, string>,
  params: object,
  execPath = process.execPath,
): InteractiveDriver<T> {
  const started = startDriver<T>(driver, bundle, env, params, execPath);
  return {
    request: <R>(message: object) =>
      new Promise<R>((resolve, reject) => {
        started.onReply = (reply) => resolve(reply as R);
        started.finished.catch(reject);
        started.child.send(message);
      }),
    stop: () => {
      started.child.send({ stop: true });
      return started.finished;
    },
  };
}

function startDriver<T extends object>(
  driver: LoadDriver,
  bundle: string,
  env: Record<string, string>,
  params: object,
  execPath: string,
) {
  const child: ChildProcess = fork(driverFile(driver), [], {
    execPath,
    execArgv: ['--enable-source-maps'],
    env: {
      PATH: process.env.PATH ?? '',
      ...env,
      BENCH_BUNDLE: bundle,
      BENCH_PARAMS: JSON.stringify(params),
    },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  const state: {
    child: ChildProcess;
    onReply?: (reply: unknown) => void;
    finished: Promise<T & DriverReport>;
  } = { child, finished: Promise.resolve() as unknown as Promise<T & DriverReport> };
  state.finished = new Promise((resolve, reject) => {
    let stderr = '';
    let report: (T & DriverReport) | undefined;
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    child.on('message', (message: { reply?: unknown; report?: T & DriverReport }) => {
      if ('reply' in message) state.onReply?.(message.reply);
      else report = message.report;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0 && report) resolve(report);
      else reject(new Error(`load driver ${driver} exited with ${code}: ${stderr.trim()}`));
    });
  });
  return state;
}
