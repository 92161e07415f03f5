import { failureMessageOf, StripeRequestFailed } from '../errors';
import type { Logger } from '../logger';
import {
  type CurrentDefault,
  type DefaultOwner,
  type DefaultTarget,
  defaultOwnerKey,
  type OutcomePublisher,
  type SetupIntentSnapshot,
  type SetupMessage,
  type SetupOutcome,
  type SetupRecords,
  type StepResult,
  type StripeGateway,
} from '../ports';
import { CUSTOMER_KEY, isOurSetup, SUBSCRIPTION_KEY } from '../setup-metadata';
import { isProvenSetup, type SetupProof } from '../setup-proof';
import { type ApplyResult, runClaimed } from './claimed-work';
import {
  defaultReadThisAttempt,
  type StripeNow,
  stepsFor,
  unownedSubscriptionDefault,
} from './default-steps';
import {
  supersededByDeletedCustomer,
  supersededByDeletion,
  supersededIfCustomerDeleted,
} from './deleted-customer';
import { type FirstInvoicePayments, setSubscriptionDefault } from './incomplete-subscriptions';
import { payOwedInvoices, subscriptionsOwing } from './open-invoices';
import { type LinkSettlementDeps, settleUpdateLink } from './recovery/settle-update-link';
import {
  type FollowPlan,
  followAndDetach,
  readFollowContext,
  type SubscriptionDefaultsMode,
} from './subscription-defaults';

export { type ApplyResult, SetupBusy } from './claimed-work';
export { isNewerThanSetup, stepFor } from './default-steps';

export interface ApplyDefaultPaymentMethodDeps {
  stripe: StripeGateway;
  records: SetupRecords;
  outcomes: OutcomePublisher;
  log: Logger;
  /** Opt-in: once the new method is the subscription's default, pay its open invoice if it is past due. */
  payOpenInvoices?: boolean;
  setupProof: SetupProof;
  /**
   * The record retention: a setup older than this may have lost the records that say whether it was
   * applied and whether something newer replaced it, so it changes nothing.
   */
  maxSetupAgeSeconds: number;
  now?: () => number;
  /** Whether unnamed subscriptions on the replaced method follow the new one (default `follow`). */
  subscriptionDefaults?: SubscriptionDefaultsMode;
  /** Opt-in: detach the replaced method once no customer or subscription default uses it. */
  detachReplaced?: boolean;
  /** Setups through an update link: the link's invoices paid and the link used up (settle-update-link.ts). */
  linkSettlement?: LinkSettlementDeps;
}

/**
 * The worker's job for one setup: claim it, read the SetupIntent fresh from Stripe, and make its payment
 * method the default for the customer's invoices and for the subscription — unless a newer setup of theirs
 * already is — and only if it is fresh and provably this service's, for exactly the customer and
 * subscription its metadata names. Each default's owner record doubles as that step's checkpoint, so a worker that dies between
 * the two updates is finished by the redelivery without repeating the first. Transient failures release
 * the claim and throw (the message is retried); permanent ones are recorded as failed.
 */
export async function applyDefaultPaymentMethod(
  deps: ApplyDefaultPaymentMethodDeps,
  message: SetupMessage,
): Promise<ApplyResult> {
  return runClaimed<SetupOutcome>(
    deps,
    {
      what: 'setup',
      records: deps.records,
      id: message.setupIntentId,
      eventId: message.eventId,
      sessionId: message.sessionId,
      event: (outcome) => ({
        setupIntentId: message.setupIntentId,
        sessionId: message.sessionId,
        livemode: message.livemode,
        outcome,
      }),
    },
    (retry) => resolveOutcome(deps, message, retry),
  );
}

async function resolveOutcome(
  deps: ApplyDefaultPaymentMethodDeps,
  message: SetupMessage,
  retry: boolean,
): Promise<SetupOutcome> {
  try {
    // Who owns the defaults is read while Stripe answers, for the targets the message names; the plan's
    // own targets decide, and are read again only if they differ (a message without the hint).
    const hinted = message.customerId
      ? targetsOf(message.customerId, message.subscriptionId ?? undefined)
      : [];
    const ownersRead = hinted.length > 0 ? deps.records.defaultOwners(hinted) : undefined;
    // Where no owner record will tell, the subscription's default in Stripe does (stepsFor): that read
    // starts as soon as DynamoDB has answered, while the SetupIntent is still on its way.
    const earlySubscriptionDefault = ownersRead?.then((owners) =>
      unownedSubscriptionDefault(deps, hinted, owners),
    );
    // Awaited where it is needed; this only keeps a failure from going unhandled if nothing is.
    earlySubscriptionDefault?.catch(() => undefined);
    const [intent, hintedOwners, succeededAt] = await Promise.all([
      deps.stripe.retrieveSetupIntent(message.setupIntentId),
      ownersRead,
      successTimeOf(deps.stripe, message),
    ]);
    if (succeededAt !== undefined && intent.status === 'succeeded') intent.succeededAt = succeededAt;
    const planned = planDefaultPaymentMethod(intent, {
      proven: await isProvenSetup(deps.setupProof, intent.customerId, intent.metadata),
      notBefore: Math.floor((deps.now ?? Date.now)() / 1000) - deps.maxSetupAgeSeconds,
    });
    if (planned.status !== 'apply') return planned.outcome;
    const targets = targetsOf(planned.customerId, planned.subscriptionId);
    const owners =
      hintedOwners && sameTargets(hinted, targets) ? hintedOwners : await deps.records.defaultOwners(targets);
    // A setup keeps the order it was first applied with: the success time comes from the event only through
    // that event's own message, so a retry through the session's message must not look like another setup.
    const earlier = [...owners.values()].find((owner) => owner.setupIntentId === planned.setupIntentId);
    const plan = earlier ? { ...planned, setupOrder: earlier.setupOrder } : planned;
    // Deleted as Stripe answered the SetupIntent (its customer expanded), or as recorded from the event.
    const deleted = intent.customerDeleted
      ? supersededByDeletion(plan)
      : supersededByDeletedCustomer(plan, owners);
    if (deleted) return deleted;
    const applied = await applyPlan(deps, plan, targets, owners, { intent, earlySubscriptionDefault }, retry);
    if (intent.paymentMethod?.allowRedisplay !== 'always') await allowRedisplay(deps, plan);
    const outcome = withMethodDetails(applied, intent.paymentMethod);
    return deps.linkSettlement
      ? await settleUpdateLink(deps.linkSettlement, intent.metadata, intent.id, outcome)
      : outcome;
  } catch (error) {
    if (!(error instanceof StripeRequestFailed) || error.retryable) throw error;
    return {
      status: 'failed',
      ...(message.customerId ? { customerId: message.customerId } : {}),
      failureCode: error.stripeCode ?? error.kind,
      failureMessage: failureMessageOf(error),
    };
  }
}

/**
 * The customer saved this method to pay with again, so Checkout may show it to them next time: Checkout lists
 * a returning customer's saved methods by `allow_redisplay`, and "by default, only saved payment methods with
 * `allow_redisplay: 'always'` are shown" (`saved_payment_method_options.allow_redisplay_filters` in
 * Checkout/Sessions.d.ts); a method saved in setup mode starts `unspecified` or `limited` (PaymentMethods.d.ts).
 * The session asks Checkout to save it `always`, so this update is left for what that does not cover: the SEPA
 * method Stripe generates from an iDEAL or Bancontact setup, and sessions created before it asked. After the defaults (a customer-less method is attached by then), superseded or not: the method is saved
 * either way. One the customer detached meanwhile is left as it is.
 */
async function allowRedisplay(deps: ApplyDefaultPaymentMethodDeps, plan: ApplyPlan): Promise<void> {
  try {
    await deps.stripe.allowRedisplay(plan.paymentMethodId);
  } catch (error) {
    if (!(error instanceof StripeRequestFailed) || error.retryable) throw error;
    deps.log.info('allow_redisplay left as it is: Stripe refused the update', {
      failureCode: error.stripeCode ?? error.kind,
    });
  }
}

/**
 * When the setup succeeded, for a message from a `setup_intent.succeeded` event: that event's `created` ("Time
 * at which the object was created", Events.d.ts), the moment Stripe recorded the success. A bank debit
 * (SEPA, ACH, ACSS, Bacs) succeeds days after its SetupAttempt was created, when the method was submitted, so
 * the attempt's time would order it before a card saved in between. Other messages (the session's completion,
 * which for a card is the success itself; the status path; reconcile) keep the attempt's time.
 */
async function successTimeOf(stripe: StripeGateway, message: SetupMessage): Promise<number | undefined> {
  if (message.eventType !== 'setup_intent.succeeded' || !message.eventId.startsWith('evt_')) return undefined;
  try {
    return await stripe.setupSucceededAt(message.eventId, message.setupIntentId);
  } catch (error) {
    // An event Stripe no longer has (30 days) or refuses: the attempt's time still orders the setup.
    if (error instanceof StripeRequestFailed && !error.retryable) return undefined;
    throw error;
  }
}

/** The method as read with the SetupIntent, recorded so the status route can name it without Stripe. */
function withMethodDetails(
  outcome: SetupOutcome,
  method: SetupIntentSnapshot['paymentMethod'],
): SetupOutcome {
  if ((outcome.status !== 'applied' && outcome.status !== 'superseded') || !method) return outcome;
  return {
    ...outcome,
    paymentMethodType: method.type,
    ...(method.card ? { paymentMethodBrand: method.card.brand, paymentMethodLast4: method.card.last4 } : {}),
  };
}

export interface ApplyPlan extends FollowPlan {
  status: 'apply';
  customerId: string;
  subscriptionId?: string;
  paymentMethodId: string;
  setupIntentId: string;
  attach: boolean;
  /** Sortable order of this setup: the setup saved last wins the defaults. */
  setupOrder: string;
  /** Unix seconds: when its method was saved (the attempt's success, else the SetupIntent's creation). */
  savedAt: number;
}

/** What the plan needs besides the SetupIntent: checked by the caller, decided here. */
export interface PlanChecks {
  /** The metadata's customer and subscription carry this service's proof (setup-proof.ts). */
  proven: boolean;
  /** Unix seconds: setups created before this are too old to change a default. */
  notBefore: number;
}

export type DefaultPaymentMethodPlan = ApplyPlan | { status: 'skip'; outcome: SetupOutcome };

/**
 * What a customer means by "newest" is the method they saved last, not the Checkout they opened last: two
 * tabs opened within a second, or opened in one order and completed in the other, must leave the card
 * entered last. So setups are ordered by when they succeeded (the successful SetupAttempt's time, which no
 * customer can tie: each needs a card typed in), then by creation, then by SetupIntent id, so any two compare.
 */
export function setupOrderOf(
  intent: Pick<SetupIntentSnapshot, 'created' | 'id'> & { succeededAt?: number | undefined },
): string {
  const seconds = (value: number) => String(value).padStart(12, '0');
  return `${seconds(intent.succeededAt ?? intent.created)}#${seconds(intent.created)}#${intent.id}`;
}

/** Pure decision over a SetupIntent: what to change in Stripe, or why nothing should change. */
export function planDefaultPaymentMethod(
  intent: SetupIntentSnapshot,
  checks: PlanChecks,
): DefaultPaymentMethodPlan {
  const customerId = intent.customerId ?? intent.metadata[CUSTOMER_KEY] ?? null;
  const failed = (failureCode: string, failureMessage: string): DefaultPaymentMethodPlan => ({
    status: 'skip',
    outcome: { status: 'failed', ...(customerId ? { customerId } : {}), failureCode, failureMessage },
  });
  // Every path (webhook, status, reconcile, redrive) ends here: only this service's setups change defaults.
  if (!isOurSetup(intent.metadata))
    return failed('not_created_by_service', 'The SetupIntent was not created by this service.');
  if (intent.status === 'canceled') return failed('setup_intent_canceled', 'The SetupIntent was canceled.');
  // A failed attempt (setup_intent.setup_failed: a declined card, a refused debit) sends the SetupIntent back
  // to requires_payment_method with an error. Recorded as failed, but not for good: the customer may still
  // complete the same session with another method, and that later event must be able to claim it again.
  if (intent.status === 'requires_payment_method' && intent.lastSetupError) {
    const { code, declineCode } = intent.lastSetupError;
    return {
      status: 'skip',
      outcome: {
        status: 'failed',
        ...(customerId ? { customerId } : {}),
        setupIntentStatus: intent.status,
        failureCode: code ?? declineCode ?? 'setup_failed',
        ...(declineCode ? { declineCode } : {}),
        failureMessage: 'Setting up the payment method failed.',
      },
    };
  }
  if (intent.status !== 'succeeded') {
    return {
      status: 'skip',
      outcome: { status: 'pending', ...(customerId ? { customerId } : {}), setupIntentStatus: intent.status },
    };
  }
  if (!customerId)
    return failed('customer_unknown', 'Neither the SetupIntent nor its metadata names a customer.');
  // Metadata is whatever the session's creator wrote: it names a customer to attach to, or a subscription,
  // only with this service's proof. A customer-less SetupIntent is never attached on its word alone.
  if (!checks.proven) {
    // The outcome event names only a customer Stripe itself holds on the SetupIntent: unproven metadata
    // would let a forger have a failure announced for any customer.
    return {
      status: 'skip',
      outcome: {
        status: 'failed',
        ...(intent.customerId ? { customerId: intent.customerId } : {}),
        failureCode: 'setup_unproven',
        failureMessage: 'The SetupIntent metadata does not carry this service’s proof.',
      },
    };
  }
  // Older than the records: nothing can tell whether a newer setup replaced it since (finding: a bookmarked
  // success URL switching a customer back to an old card once the records had expired).
  if (intent.created < checks.notBefore)
    return failed('setup_too_old', 'The setup is older than the record retention and changes nothing.');
  const expected = intent.metadata[CUSTOMER_KEY];
  if (expected && expected !== customerId) {
    return failed(
      'customer_mismatch',
      'The SetupIntent belongs to a different customer than its metadata names.',
    );
  }
  if (!intent.paymentMethod) return failed('payment_method_missing', 'The SetupIntent has no PaymentMethod.');
  const subscriptionId = intent.metadata[SUBSCRIPTION_KEY];
  return {
    status: 'apply',
    customerId,
    paymentMethodId: intent.paymentMethod.id,
    ...(intent.paymentMethod.type !== 'unknown' ? { paymentMethodType: intent.paymentMethod.type } : {}),
    setupIntentId: intent.id,
    // Checkout attaches the method itself when the session had a customer; only a customer-less
    // SetupIntent needs the explicit attach from the "Set up future payments" guide.
    attach: intent.customerId === null,
    setupOrder: setupOrderOf(intent),
    savedAt: intent.succeededAt ?? intent.created,
    ...(subscriptionId ? { subscriptionId } : {}),
  };
}

export function targetsOf(customerId: string, subscriptionId?: string): DefaultTarget[] {
  return [
    { kind: 'customer', id: customerId },
    ...(subscriptionId ? [{ kind: 'subscription' as const, id: subscriptionId }] : []),
  ];
}

function sameTargets(a: DefaultTarget[], b: DefaultTarget[]): boolean {
  return a.map(defaultOwnerKey).join() === b.map(defaultOwnerKey).join();
}

export async function applyPlan(
  deps: ApplyDefaultPaymentMethodDeps,
  plan: ApplyPlan,
  targets: DefaultTarget[],
  owners: Map<string, DefaultOwner>,
  stripeNow: StripeNow,
  retry: boolean,
): Promise<SetupOutcome> {
  const { stripe } = deps;
  const steps = await stepsFor(deps, plan, targets, owners, stripeNow);
  const owner: DefaultOwner = {
    setupOrder: plan.setupOrder,
    setupIntentId: plan.setupIntentId,
    paymentMethodId: plan.paymentMethodId,
  };
  // Read before the customer's default changes: the listing carries the default being replaced.
  const follow = await readFollowContext(
    deps,
    plan,
    owners.get(defaultOwnerKey(targets[0] as DefaultTarget)),
    plan.keepCustomerDefault ? 'todo' : steps[0]?.step,
    stripeNow.earlyListing,
  );
  const { replaced } = follow;
  const ownerFor = (target: DefaultTarget): DefaultOwner =>
    target.kind === 'customer' && replaced ? { ...owner, replacedPaymentMethodId: replaced } : owner;

  const keptCustomer = (target: DefaultTarget) =>
    plan.keepCustomerDefault === true && target.kind === 'customer';
  const todo = steps.filter(({ target, step }) => step === 'todo' && !keptCustomer(target));
  if (todo.length > 0 && plan.attach) await stripe.attachPaymentMethod(plan.paymentMethodId, plan.customerId);
  const firstInvoice: FirstInvoicePayments = [];
  const results = await oneAfterAnother(
    todo.map(
      ({ target }) =>
        () =>
          setDefault(deps, target, ownerFor(target), retry, firstInvoice, () =>
            defaultReadThisAttempt(stripeNow, target),
          ),
    ),
  );
  const failure = worstFailure(results);

  const resultOf = (kind: DefaultTarget['kind']): StepResult | undefined => {
    const found = steps.find(({ target }) => target.kind === kind);
    if (!found) return undefined;
    if (keptCustomer(found.target)) return 'superseded';
    if (found.step !== 'todo') return found.step;
    const settled = results[todo.findIndex(({ target }) => target.kind === kind)];
    return settled?.status === 'fulfilled' ? settled.value : undefined;
  };
  if (failure) {
    const deleted = await supersededIfCustomerDeleted(stripe, failure, plan);
    if (deleted) return deleted;
    // One update failed for good (a canceled subscription) after the other may have gone through: the
    // record says so, rather than hiding the default that did change.
    const changed = { customerDefault: resultOf('customer'), subscriptionDefault: resultOf('subscription') };
    return {
      status: 'failed',
      customerId: plan.customerId,
      paymentMethodId: plan.paymentMethodId,
      ...(plan.subscriptionId ? { subscriptionId: plan.subscriptionId } : {}),
      ...(changed.customerDefault ? { customerDefault: changed.customerDefault } : {}),
      ...(changed.subscriptionDefault ? { subscriptionDefault: changed.subscriptionDefault } : {}),
      failureCode: failure.stripeCode ?? failure.kind,
      failureMessage: failureMessageOf(failure),
    };
  }
  const customerDefault = resultOf('customer') ?? 'applied';
  const subscriptionDefault = resultOf('subscription');
  const followed =
    customerDefault !== 'superseded' || plan.keepCustomerDefault
      ? await followAndDetach(deps, plan, follow, owner, subscriptionDefault, (target, next) =>
          setDefault(deps, target, next, retry),
        )
      : {};
  if ('inUseBy' in followed) {
    const why = (followed.subscriptionsSkipped ?? []).map(({ id, reason }) => `${id}: ${reason}`);
    return {
      status: 'failed',
      customerId: plan.customerId,
      paymentMethodId: plan.paymentMethodId,
      customerDefault,
      failureCode: 'payment_method_in_use',
      failureMessage: `The method still pays ${followed.inUseBy.join(', ')}; it was not detached.${why.length > 0 ? ` Not moved: ${why.join('; ')}.` : ''}`,
    };
  }
  // Customers often update their card because a payment failed: settle it now, not at the next retry. An
  // `incomplete` subscription's first invoice was paid already, as part of making the method its default.
  const invoicePayments = deps.payOpenInvoices
    ? [
        ...firstInvoice,
        ...(await payOwedInvoices(
          stripe,
          await subscriptionsOwing(stripe, follow.listing, {
            ...(plan.subscriptionId ? { subscriptionId: plan.subscriptionId } : {}),
            customerDefault,
            subscriptionDefault,
            customerKept: plan.keepCustomerDefault === true,
            subscriptionsMoved: followed.subscriptionsMoved ?? [],
          }),
          plan.paymentMethodId,
          plan.setupIntentId,
          firstInvoice,
        )),
      ]
    : firstInvoice;
  const invoicePayment = invoicePayments[0];
  const changedAnything =
    [customerDefault, subscriptionDefault].some(
      (result) => result === 'applied' || result === 'already_applied',
    ) ||
    followed.subscriptionsMoved !== undefined ||
    ('detachedPaymentMethodId' in followed && followed.detachedPaymentMethodId !== undefined);
  return {
    status: changedAnything ? 'applied' : 'superseded',
    customerId: plan.customerId,
    paymentMethodId: plan.paymentMethodId,
    customerDefault,
    ...(plan.subscriptionId ? { subscriptionId: plan.subscriptionId, subscriptionDefault } : {}),
    ...(invoicePayment ? { invoicePayment } : {}),
    ...(invoicePayments.length > 0 ? { invoicePayments } : {}),
    ...followed,
  };
}

/**
 * Updates one default in Stripe, then records its owner. Work is serialised per customer (FIFO message
 * groups), so the owner cannot change in between; if it did anyway (a queue without that guarantee), the
 * newer owner's method is put back, so the newest setup still wins.
 *
 * On a retry the earlier attempt may have updated Stripe and then failed to record the owner (DynamoDB
 * throttled past the SDK's retries), so Stripe is asked what holds now: already our method means that
 * update happened, and only the checkpoint is written. A replayed Idempotency-Key would not do: the retry
 * is a new call with a new key, and reusing the first one would replay its first answer for 24 h, a 500
 * included (Stripe's "Idempotent requests"). The read costs one GET per open step, on retries only, and
 * none where this attempt already read that default (the customer's, expanded on the SetupIntent; the named
 * subscription's, read for the rollback check): nothing in this attempt has changed it since, and the
 * customer's work is serialised by its FIFO group.
 */
async function setDefault(
  deps: ApplyDefaultPaymentMethodDeps,
  target: DefaultTarget,
  owner: DefaultOwner,
  retry: boolean,
  firstInvoice: FirstInvoicePayments = [],
  readThisAttempt: () => Promise<CurrentDefault | null | undefined> = async () => undefined,
): Promise<StepResult> {
  const update = (paymentMethodId: string) =>
    target.kind === 'customer'
      ? deps.stripe.setCustomerDefaultPaymentMethod(target.id, paymentMethodId)
      : setSubscriptionDefault(deps, target.id, paymentMethodId, firstInvoice);
  const currentNow = async () => {
    const read = await readThisAttempt();
    return read !== undefined ? read : deps.stripe.currentDefaultPaymentMethod(target);
  };
  const alreadyInStripe = retry && (await currentNow())?.paymentMethodId === owner.paymentMethodId;
  if (alreadyInStripe) {
    deps.log.info('default already set by an earlier attempt; checkpoint recorded', {
      target: target.kind,
    });
    // The earlier attempt may have stopped between the subscription's update and its schedule's.
    if (target.kind === 'subscription')
      await deps.stripe.replaceScheduledPaymentMethod(target.id, owner.paymentMethodId);
  } else await update(owner.paymentMethodId);
  if (await deps.records.recordDefaultOwner(target, owner)) return 'applied';
  const newer = (await deps.records.defaultOwners([target])).get(defaultOwnerKey(target));
  deps.log.warn('a newer setup became the default meanwhile; restoring it', { target: target.kind });
  if (newer) await update(newer.paymentMethodId);
  return 'superseded';
}

/**
 * The customer update and the subscription update run one after the other, never at once: Stripe locks a
 * customer together with its subscriptions, and two concurrent writes to them can fail with 429
 * `lock_timeout` (https://docs.stripe.com/rate-limits#object-lock-timeouts). A transient failure stops the
 * sequence (the redelivery redoes what is left); a permanent one does not, so the other default still moves.
 */
async function oneAfterAnother<T>(steps: (() => Promise<T>)[]): Promise<PromiseSettledResult<T>[]> {
  const results: PromiseSettledResult<T>[] = [];
  for (const step of steps) {
    try {
      results.push({ status: 'fulfilled', value: await step() });
    } catch (reason) {
      results.push({ status: 'rejected', reason });
      if (!(reason instanceof StripeRequestFailed) || reason.retryable) break;
    }
  }
  return results;
}

/**
 * A transient failure is thrown, and wins over a permanent one: the retry may still succeed for both
 * updates. A permanent one is returned, for the outcome to record.
 */
function worstFailure(results: PromiseSettledResult<unknown>[]): StripeRequestFailed | undefined {
  const errors = results.flatMap((result) =>
    result.status === 'rejected' ? [result.reason as unknown] : [],
  );
  const transient = errors.find((error) => !(error instanceof StripeRequestFailed) || error.retryable);
  if (transient !== undefined) throw transient;
  return errors[0] as StripeRequestFailed | undefined;
}
