import type { Logger } from '../../logger';
import type { SetupOutcome } from '../../ports';
import type { InvoicePaymentResult, RecoveryStripe, UpdateLinks } from '../../recovery-ports';
import { UPDATE_LINK_KEY } from '../../setup-metadata';

export interface LinkSettlementDeps {
  links: UpdateLinks;
  recoveryStripe: RecoveryStripe;
  log: Logger;
}

/**
 * A setup that came through an update link closes the loop the link was sent for. A link made for a failed
 * invoice pays that invoice, and the subscription's older open ones, oldest first, with the new default —
 * whatever PAY_OPEN_INVOICE says, because paying is what the link was for. Each payment is keyed by the setup
 * and the invoice (the key the past-due option uses too), so a redelivered setup, or both paths, pay an
 * invoice at most once; a paid invoice is no longer open and is not asked again. The first payment that does
 * not go through stops the rest (a declined card declines the older invoices too). The link is used up
 * afterwards, so a crash in between finds it open and repeats only what was not done.
 *
 * The link is read from the service's own table and must name exactly the customer and subscription the
 * setup's proof names; the metadata's link id alone changes nothing.
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
  const invoicePayments: InvoicePaymentResult[] = [];
  if (link.invoiceId && link.subscriptionId) {
    const open = await deps.recoveryStripe.listOpenInvoices(link.subscriptionId);
    const failed = open.find((invoice) => invoice.id === link.invoiceId);
    const owed = failed ? open.filter((invoice) => invoice.created <= failed.created) : [];
    for (const invoice of owed) {
      const paid = await deps.recoveryStripe.payInvoice(
        invoice.id,
        outcome.paymentMethodId,
        `setup-invoice-payment:${setupIntentId}:${invoice.id}`,
      );
      invoicePayments.push(paid);
      if (paid.status !== 'paid' && paid.status !== 'processing') break;
    }
  }
  await deps.links.markUsed(link.linkId, setupIntentId);
  return {
    ...outcome,
    updateLinkId: link.linkId,
    ...(invoicePayments.length > 0 ? { invoicePayments } : {}),
  };
}
