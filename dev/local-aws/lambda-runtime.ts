import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes, randomUUID } from 'node:crypto';
import { InvokeStoreBase } from '@aws/lambda-invoke-store';
import type { Context } from 'aws-lambda';

/**
 * What the Lambda runtime gives each invocation, for handlers run in this process: a `context` (request id,
 * function name and version, memory) and an X-Ray trace header. The local stack runs many invocations at
 * once in one process, as Lambda Managed Instances do, so it uses the mechanism they use: the runtime's
 * InvokeStore on `globalThis.awslambda`, selected by AWS_LAMBDA_MAX_CONCURRENCY, where Powertools and the AWS
 * SDK read the request id and trace id of the invocation they run in
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances.html).
 */
export interface LocalLambdaRuntime {
  /**
   * The handler as the runtime invokes it: each event with a fresh context and trace id, and the function's
   * timeout: `getRemainingTimeInMillis` counts down from it, and an invocation still running at the end
   * fails as Lambda fails it ("Task timed out"), whatever the handler would have answered later.
   */
  invoker<E, R>(
    functionName: string,
    handler: (event: E, context: Context) => Promise<R>,
    options?: { timeoutMs?: number },
  ): (event: E) => Promise<R>;
}

/** Lambda's default for the local functions: the worker's deployed timeout. */
const DEFAULT_TIMEOUT_MS = 60_000;

type StoreContext = Record<string | symbol, unknown>;

/**
 * One context per invocation (AsyncLocalStorage), like the runtime's own multi-concurrency store, plus one
 * for code outside any invocation (a function's init, a test calling a handler directly), which the runtime's
 * store would refuse.
 */
class LocalInvokeStore extends InvokeStoreBase {
  readonly #invocations = new AsyncLocalStorage<StoreContext>();
  readonly #outsideInvocations: StoreContext = {};

  #current(): StoreContext {
    return this.#invocations.getStore() ?? this.#outsideInvocations;
  }
  getContext() {
    return this.#current();
  }
  hasContext() {
    return this.#invocations.getStore() !== undefined;
  }
  get<T = unknown>(key: string | symbol): T | undefined {
    return this.#current()[key] as T | undefined;
  }
  set<T = unknown>(key: string | symbol, value: T): void {
    if (this.isProtectedKey(key))
      throw new Error(`Cannot modify protected Lambda context field: ${String(key)}`);
    this.#current()[key] = value;
  }
  run<T>(context: StoreContext, fn: () => T): T {
    return this.#invocations.run({ ...context }, fn);
  }
}

/** Concurrent invocations per process the local stack allows; any value selects the InvokeStore. */
const LOCAL_MAX_CONCURRENCY = '64';

export function startLocalLambdaRuntime(): LocalLambdaRuntime {
  process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= LOCAL_MAX_CONCURRENCY;
  // Lambda sets it for functions without provisioned concurrency; Powertools reports cold starts only then.
  process.env.AWS_LAMBDA_INITIALIZATION_TYPE ??= 'on-demand';
  globalThis.awslambda ??= {} as typeof globalThis.awslambda;
  if (!(globalThis.awslambda.InvokeStore instanceof LocalInvokeStore)) {
    globalThis.awslambda.InvokeStore = new LocalInvokeStore();
  }
  const store = globalThis.awslambda.InvokeStore;
  return {
    invoker:
      (functionName, handler, options = {}) =>
      (event) => {
        const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
        const context = lambdaContext(functionName, Date.now() + timeoutMs);
        const invocation = store.run(
          {
            [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: context.awsRequestId,
            [InvokeStoreBase.PROTECTED_KEYS.X_RAY_TRACE_ID]: xrayTraceHeader(),
          },
          () => handler(event, context),
        );
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`)),
            timeoutMs,
          );
        });
        return Promise.race([invocation, timedOut]).finally(() => clearTimeout(timer));
      },
  };
}

function lambdaContext(functionName: string, endsAt: number): Context {
  const unsupported = () => {
    throw new Error('callback-style handlers are not supported');
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, endsAt - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/** `Root=1-<8 hex seconds>-<24 hex>;Parent=<16 hex>;Sampled=0`, the format of `_X_AMZN_TRACE_ID`. */
function xrayTraceHeader(): string {
  const seconds = Math.floor(Date.now() / 1000)
    .toString(16)
    .padStart(8, '0');
  return `Root=1-${seconds}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=0`;
}
