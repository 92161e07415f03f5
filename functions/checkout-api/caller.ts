import { ServiceError } from '../shared/errors';
import type { HttpEvent } from '../shared/http';

export interface Caller {
  customerId: string;
}

/**
 * Who is calling. For now the caller names its Stripe customer in the request; the security work moves this
 * to an authenticated claim, and only this function changes.
 */
export function identifyCaller(_event: HttpEvent, claimedCustomerId: string | undefined): Caller {
  if (!claimedCustomerId) {
    throw new ServiceError(
      400,
      'customer_required',
      'customer is required: the Stripe customer whose card is saved.',
    );
  }
  return { customerId: claimedCustomerId };
}

/** For reads: the caller's customer when the request names one, so a read can be limited to it. */
export function identifyOptionalCaller(event: HttpEvent): Caller | undefined {
  const customer = event.queryStringParameters?.customer;
  return customer ? { customerId: customer } : undefined;
}
