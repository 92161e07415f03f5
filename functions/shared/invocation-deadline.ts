import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The time by which the current invocation must have stopped starting Stripe calls. Lambda ends an
 * invocation at its timeout whatever it is doing, and the event source mapping then counts the whole batch
 * as failed (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html); a call granted
 * after this point could outlive the invocation. Carried with the async context, because the local stack
 * runs many invocations of one handler in one process at once.
 */
const deadlines = new AsyncLocalStorage<number>();

export function runBefore<T>(deadlineMs: number, work: () => Promise<T>): Promise<T> {
  return deadlines.run(deadlineMs, work);
}

export function currentDeadline(): number | undefined {
  return deadlines.getStore();
}

/** Thrown instead of starting work that could not finish before the invocation's deadline. */
export class OutOfTime extends Error {
  constructor(what: string) {
    super(`not enough time left in this invocation for ${what}`);
    this.name = 'OutOfTime';
  }
}
