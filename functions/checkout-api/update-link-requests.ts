import * as v from 'valibot';
import { UPDATE_NEEDED_REASONS } from '../shared/recovery-ports';

/** `POST /update-links`: the SaaS's backend asks for a link for one customer (and subscription, invoice). */
export const mintUpdateLinkBody = v.pipe(
  v.strictObject({
    customer: v.pipe(v.string(), v.regex(/^cus_\w{1,250}$/), v.description('The Stripe customer.')),
    subscription: v.optional(
      v.pipe(v.string(), v.regex(/^sub_\w{1,250}$/), v.description('A subscription of the customer.')),
    ),
    invoice: v.optional(
      v.pipe(
        v.string(),
        v.regex(/^in_\w{1,250}$/),
        v.description(
          'A failed invoice of the customer: once the new method is saved, it (and older open invoices of the subscription) is paid with it.',
        ),
      ),
    ),
    reason: v.optional(v.picklist(['requested', ...UPDATE_NEEDED_REASONS])),
    expiresInDays: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(30))),
  }),
  v.title('MintUpdateLinkRequest'),
);

export const mintedUpdateLink = v.pipe(
  v.strictObject({
    id: v.pipe(v.string(), v.regex(/^ul_[\w-]+$/)),
    url: v.pipe(
      v.string(),
      v.url(),
      v.description('`<API>/u/<token>`: put it in the email. No login needed.'),
    ),
    expiresAt: v.pipe(v.string(), v.isoTimestamp()),
    customer: v.string(),
    subscription: v.nullable(v.string()),
    invoice: v.nullable(v.string()),
    reason: v.string(),
  }),
  v.title('UpdateLink'),
);

export const revokedUpdateLink = v.pipe(
  v.strictObject({ id: v.string(), status: v.literal('revoked') }),
  v.title('RevokedUpdateLink'),
);

export const updateLinkToken = v.pipe(v.string(), v.maxLength(200));
export const updateLinkId = v.pipe(v.string(), v.regex(/^ul_[\w-]{16,64}$/));
