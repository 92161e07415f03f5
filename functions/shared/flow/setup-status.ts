import { ServiceError, StripeRequestFailed } from '../errors';
import type { SetupRecord, SetupRecords, StripeGateway } from '../ports';

export interface SetupStatusDeps {
  stripe: StripeGateway;
  records: SetupRecords;
}

export interface SetupStatus {
  id: string;
  status: string | null;
  customer: string | null;
  setupIntent: { id: string; status: string } | null;
  paymentMethod: { id: string; type: string; brand?: string; last4?: string } | null;
  defaultsApplied: boolean;
  /** Where the payment method became the default, once applied. */
  appliedTo: { customer: string; subscription: string | null; paymentMethod: string } | null;
  processing: {
    status: SetupRecord['status'] | 'not_started';
    failureCode?: string;
    updatedAt?: string;
  };
}

/**
 * The success page's synchronous path from the guide: the session as Stripe sees it now, and how far this
 * service has got with it (from DynamoDB).
 */
export async function getSetupStatus(
  deps: SetupStatusDeps,
  sessionId: string,
  callerCustomerId?: string,
): Promise<SetupStatus> {
  const [session, record] = await Promise.all([
    deps.stripe.retrieveSetupSession(sessionId).catch((error: unknown) => {
      if (error instanceof StripeRequestFailed && error.kind === 'not_found')
        throw sessionNotFound(sessionId);
      throw error;
    }),
    deps.records.get(sessionId),
  ]);
  // Another customer's session answers exactly like a missing one, so session ids cannot be probed.
  const ownerId = session.customerId ?? session.metadata.customer_id ?? null;
  if (session.mode !== 'setup' || (callerCustomerId && ownerId !== callerCustomerId)) {
    throw sessionNotFound(sessionId);
  }
  const intent = session.setupIntent;
  const method = intent?.paymentMethod ?? null;
  return {
    id: session.id,
    status: session.status,
    customer: ownerId,
    setupIntent: intent ? { id: intent.id, status: intent.status } : null,
    paymentMethod: method
      ? {
          id: method.id,
          type: method.type,
          ...(method.card ? { brand: method.card.brand, last4: method.card.last4 } : {}),
        }
      : null,
    defaultsApplied: record?.status === 'applied',
    appliedTo:
      record?.status === 'applied' && record.customerId && record.paymentMethodId
        ? {
            customer: record.customerId,
            subscription: record.subscriptionId ?? null,
            paymentMethod: record.paymentMethodId,
          }
        : null,
    processing: record
      ? {
          status: record.status,
          updatedAt: record.updatedAt,
          ...(record.failureCode ? { failureCode: record.failureCode } : {}),
        }
      : { status: 'not_started' },
  };
}

function sessionNotFound(sessionId: string): ServiceError {
  return new ServiceError(404, 'session_not_found', `Checkout Session ${sessionId} was not found.`);
}
