import Stripe from 'stripe';
import type { StripeStandIn } from '../../dev/stripe-stand-in';
import type { AwsFaults } from './aws-faults';
import type { ServiceStack } from './service-stack';

/** Updates Stripe answered 200 and did not replay: each one a `customer.updated`/`subscription.updated`. */
export function answeredWritesTo(standIn: StripeStandIn, requestPath: string): number {
  return standIn.requests.filter(
    (request) =>
      request.method === 'POST' &&
      request.path === requestPath &&
      request.status === 200 &&
      !request.replayed,
  ).length;
}

/** The stack's fault-injecting proxies; a test file that needs them starts its stack with `awsFaults: true`. */
export function awsFaultsOf(stack: ServiceStack): AwsFaults {
  if (!stack.awsFaults) throw new Error('the stack runs without AWS faults');
  return stack.awsFaults;
}

/** The Stripe error a call ended in, as the SDK raised it; fails when the call succeeded. */
export async function caughtStripeError(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Stripe.errors.StripeError) return error;
    throw error;
  }
  throw new Error('expected the Stripe call to fail');
}

/** The stand-in's `/_stand-in/` control routes take a test-mode key, as its `/v1` routes do. */
export const STAND_IN_CONTROL_HEADERS = {
  authorization: 'Bearer sk_test_standin_controls',
  'content-type': 'application/json',
} as const;
