import type { Logger } from '../../logger';
import type { SetupOutcome } from '../../ports';
import type { RecoveryStripe, UpdateLinks } from '../../recovery-ports';
import { UPDATE_LINK_KEY } from '../../setup-metadata';
import { payOwedInvoices } from '../open-invoices';

export interface LinkSettlementDeps {
  links: UpdateLinks;
  recoveryStripe: RecoveryStripe;
  log: Logger;
}

/**
 * A setup that came through an update link closes the loop the link was sent for. A link made for a failed
 * invoice pays that invoice, and the subscription's older open ones, oldest first, with the new default —
 * whatever PAY_OPEN_INVOICE says, because paying is what the link was for — through the same payments as the
 * past-due option (open-invoices.ts: oldest first, keyed per setup and invoice, stopping at the first
 * decline). The link is used up afterwards, so a crash in between finds it open and repeats only what was not
 * done.
 *
 * The link id is covered by the setup's proof (setup-proof.ts: a setup naming a link it was not signed for is
 * never applied), and the link, read from the service's own table, must name exactly the customer and
 * subscription the setup names.
 */
export async function settleUpdateLink(
  deps: LinkSettlementDeps,
  metadata: Record<string, string>,
  setupIntentId: string,
  outcome: SetupOutcome,
): Promise<SetupOutcome> {
  const linkId = metadata[UPDATE_LINK_KEY];
  if (!linkId || outcome.status !== 'applied') return outcome;
  const link = await deps.links.get(linkId);
  const sameTarget =
    link?.customerId === outcome.customerId && link.subscriptionId === (outcome.subscriptionId ?? null);
  if (!link || !sameTarget) {
    deps.log.warn('setup names an update link that is not its own; link ignored', { linkId });
    return outcome;
  }
  if (link.status === 'revoked' || (link.status === 'used' && link.usedBySetupIntentId !== setupIntentId)) {
    deps.log.info('update link no longer open; nothing paid through it', { linkId, status: link.status });
    return outcome;
  }
  // The past-due option may have paid some of them already, in this very setup: those are not paid again.
  const earlier = outcome.invoicePayments ?? [];
  const invoicePayments =
    link.invoiceId && link.subscriptionId
      ? await payOwedInvoices(
          deps.recoveryStripe,
          [{ subscriptionId: link.subscriptionId, upToInvoiceId: link.invoiceId }],
          outcome.paymentMethodId,
          setupIntentId,
          earlier,
        )
      : [];
  await deps.links.markUsed(link.linkId, setupIntentId);
  return {
    ...outcome,
    updateLinkId: link.linkId,
    ...(earlier.length + invoicePayments.length > 0
      ? { invoicePayments: [...earlier, ...invoicePayments] }
      : {}),
  };
}
