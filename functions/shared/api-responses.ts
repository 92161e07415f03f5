/**
 * The bodies the HTTP API answers with, as valibot schemas: the OpenAPI document (docs/openapi.json) is
 * generated from them and from the request schemas the handlers validate with, and the integration suite
 * checks every response it sees against that document. The type assertions at the end make a change to what
 * a handler returns that the schema does not allow a compile error.
 */
import * as v from 'valibot';
import { ERROR_CODE_LIST } from './error-codes';
import type { SetupStatus } from './flow/setup-status';
import type { SetupRecordStatus } from './ports';

const id = (prefix: string, what: string) =>
  v.pipe(v.string(), v.regex(new RegExp(`^${prefix}_\\w+$`)), v.description(what));
const nullable = <S extends v.GenericSchema>(schema: S) => v.nullable(schema);

/** Every code the service answers (functions/shared/error-codes.ts); its own schema in the document. */
export const errorCode = v.pipe(
  v.picklist(ERROR_CODE_LIST),
  v.description('Stable, machine-readable: branch on this.'),
  v.title('ErrorCode'),
);

/** Every error the service itself answers (functions/shared/errors.ts `toServiceError`). */
export const errorBody = v.pipe(
  v.strictObject({
    error: v.strictObject({
      code: errorCode,
      message: v.pipe(v.string(), v.description('For people; may change.')),
    }),
  }),
  v.title('Error'),
);

/** API Gateway's own answers (its JWT authorizer's 401, throttling, payload limit), which carry only a message. */
export const gatewayMessage = v.pipe(
  v.strictObject({ message: v.pipe(v.string(), v.examples(['Unauthorized'])) }),
  v.title('GatewayMessage'),
);

export const createdSession = v.pipe(
  v.strictObject({
    id: id('cs_(test|live)', 'The Checkout Session id.'),
    url: v.optional(v.pipe(v.string(), v.url(), v.description('`hosted_page`: redirect the browser here.'))),
    clientSecret: v.optional(
      v.pipe(
        v.string(),
        v.description('`embedded_page`: pass to Stripe.js `initEmbeddedCheckout({ clientSecret })`.'),
      ),
    ),
  }),
  v.title('CreatedSession'),
);

export const mintedFormToken = v.pipe(
  v.strictObject({
    formToken: v.pipe(
      v.string(),
      v.description(
        'Put in the HTML form’s hidden `token` field. Accepted only by `POST /create-checkout-session`, for this customer, until `expiresAt`.',
      ),
    ),
    expiresAt: v.pipe(v.number(), v.integer(), v.description('Unix seconds; a few minutes from now.')),
  }),
  v.title('FormToken'),
);

const PROCESSING_STATUSES = [
  'not_started',
  'queued',
  'processing',
  'applied',
  'superseded',
  'pending',
  'failed',
] as const satisfies readonly (SetupRecordStatus | 'not_started')[];

export const setupStatus = v.pipe(
  v.strictObject({
    id: id('cs_(test|live)', 'The Checkout Session id.'),
    status: v.pipe(
      nullable(v.string()),
      v.description("Stripe's session status: open, complete or expired."),
    ),
    customer: nullable(id('cus', 'The Stripe customer.')),
    setupIntent: nullable(
      v.strictObject({
        id: id('seti', 'The SetupIntent.'),
        status: v.pipe(
          nullable(v.string()),
          v.description("Stripe's SetupIntent status; null until the service has read the SetupIntent."),
        ),
      }),
    ),
    paymentMethod: nullable(
      v.strictObject({
        id: id('pm', 'The saved payment method.'),
        type: v.string(),
        brand: v.optional(v.string()),
        last4: v.optional(v.string()),
      }),
    ),
    defaultsApplied: v.pipe(
      v.boolean(),
      v.description('The payment method is now the default for future invoices.'),
    ),
    appliedTo: nullable(
      v.strictObject({
        customer: id('cus', 'The customer whose invoice_settings.default_payment_method was set.'),
        subscription: nullable(id('sub', 'The subscription whose default_payment_method was set.')),
        paymentMethod: id('pm', 'The payment method made the default.'),
        subscriptionsMoved: v.pipe(
          v.array(id('sub', 'A subscription.')),
          v.description(
            'Subscriptions not named that now use the method too: those that were on the replaced method.',
          ),
        ),
      }),
    ),
    processing: v.strictObject({
      status: v.picklist(PROCESSING_STATUSES),
      failureCode: v.optional(v.string()),
      declineCode: v.optional(
        v.pipe(v.string(), v.description("The card issuer's decline_code of a declined attempt.")),
      ),
      updatedAt: v.optional(v.pipe(v.string(), v.isoTimestamp())),
    }),
  }),
  v.title('SetupStatus'),
);

export const webhookReceipt = v.pipe(
  v.strictObject({
    received: v.literal(true),
    enqueued: v.pipe(
      v.boolean(),
      v.description('false: the event needs no work (ignored) and Stripe should not retry.'),
    ),
  }),
  v.title('WebhookReceipt'),
);

type Assignable<T extends U, U> = T;
export type SetupStatusMatchesSchema = Assignable<SetupStatus, v.InferOutput<typeof setupStatus>>;
export type ProcessingStatusesComplete = Assignable<
  SetupRecordStatus | 'not_started',
  (typeof PROCESSING_STATUSES)[number]
>;
