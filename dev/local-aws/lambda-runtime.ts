import { randomBytes, randomUUID } from 'node:crypto';
import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';
import type { Context } from 'aws-lambda';

/**
 * What the Lambda runtime gives each invocation, for handlers run in this process: a `context` (request id,
 * function name and version, memory) and an X-Ray trace header. The local stack runs many invocations at
 * once in one process, as Lambda Managed Instances do, so it uses the same mechanism they use: the runtime's
 * InvokeStore (AsyncLocalStorage, selected by AWS_LAMBDA_MAX_CONCURRENCY), where Powertools and the AWS SDK
 * read the request id and trace id of the invocation they are in
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances.html).
 */
export interface LocalLambdaRuntime {
  /** Runs a function's init (its wiring) as the runtime does: outside any invocation, logs allowed. */
  init<T>(wire: () => T): T;
  /** The handler as the runtime invokes it: each event with a fresh context and trace id. */
  invoker<E, R>(
    functionName: string,
    handler: (event: E, context: Context) => Promise<R>,
  ): (event: E) => Promise<R>;
}

/** Concurrent invocations per process the local stack allows; any value selects the InvokeStore. */
const LOCAL_MAX_CONCURRENCY = '64';

export async function startLocalLambdaRuntime(): Promise<LocalLambdaRuntime> {
  process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= LOCAL_MAX_CONCURRENCY;
  // Lambda sets it for functions without provisioned concurrency; Powertools reports cold starts only then.
  process.env.AWS_LAMBDA_INITIALIZATION_TYPE ??= 'on-demand';
  const store = await InvokeStore.getInstanceAsync(true);
  await assertOneContextPerInvocation(store);
  return {
    init: (wire) => store.run({}, wire),
    invoker: (functionName, handler) => (event) => {
      const context = lambdaContext(functionName);
      return store.run(
        {
          [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: context.awsRequestId,
          [InvokeStoreBase.PROTECTED_KEYS.X_RAY_TRACE_ID]: xrayTraceHeader(),
        },
        () => handler(event, context),
      );
    },
  };
}

/**
 * The store is made once per process, by whoever asks first: an AWS SDK call made before this runtime started
 * gets the single-invocation kind, where concurrent invocations would overwrite each other's request ids.
 */
async function assertOneContextPerInvocation(store: InvokeStoreBase): Promise<void> {
  const probe = Symbol('probe');
  const seen = await Promise.all(
    [1, 2].map((value) =>
      store.run({ [probe]: value }, async () => {
        await new Promise((resolve) => setImmediate(resolve));
        return store.get(probe);
      }),
    ),
  );
  if (seen[0] !== 1 || seen[1] !== 2) {
    throw new Error(
      'start the local Lambda runtime before any AWS SDK call: its InvokeStore is single-invocation',
    );
  }
}

function lambdaContext(functionName: string): Context {
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
    getRemainingTimeInMillis: () => 60_000,
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
