import type { Logger } from '../logger';
import {
  type CurrentDefault,
  type CustomerSubscriptions,
  type DefaultOwner,
  type DefaultTarget,
  defaultOwnerKey,
  type SetupIntentSnapshot,
  type StepResult,
  type StripeGateway,
} from '../ports';
import type { ApplyPlan } from './apply-default-payment-method';

/** Which step each default needs: from its owner record, or where there is none, from Stripe's default. */
interface StepDeps {
  stripe: StripeGateway;
  log: Logger;
}

/** What to do with one default, given the setup that currently owns it. */
export function stepFor(owner: DefaultOwner | undefined, setupOrder: string): StepResult | 'todo' {
  if (!owner || owner.setupOrder < setupOrder) return 'todo';
  return owner.setupOrder === setupOrder ? 'already_applied' : 'superseded';
}

/**
 * Where no owner record says who set a default (the customer's first setup through this service, or
 * records from before owners were kept for good), Stripe's current default decides: a method created
 * after this setup's method was saved was put there by something newer (another setup, the customer portal, the
 * Dashboard), and going back to this setup's method would be a rollback.
 */
export function isNewerThanSetup(current: CurrentDefault | null | undefined, plan: ApplyPlan): boolean {
  if (!current || current.paymentMethodId === plan.paymentMethodId) return false;
  return current.created > plan.savedAt;
}

export type EarlyDefault = { target: DefaultTarget; current: CurrentDefault | null } | undefined;

/** What Stripe holds now, read before it is needed: the SetupIntent, and maybe the subscription's default. */
export interface StripeNow {
  /** A switch has no SetupIntent: the customer's default is then read where it is needed. */
  intent: Pick<SetupIntentSnapshot, 'customerDefault'>;
  earlySubscriptionDefault: Promise<EarlyDefault> | undefined;
  /** The customer's subscriptions, when already asked for (a switch asks beside the owner records). */
  earlyListing?: Promise<CustomerSubscriptions> | undefined;
}

/**
 * A target's current default as this attempt already read it from Stripe (the customer's expanded on the
 * SetupIntent, the named subscription's read beside it); undefined when it was not read.
 */
export async function defaultReadThisAttempt(
  stripeNow: StripeNow,
  target: DefaultTarget,
): Promise<CurrentDefault | null | undefined> {
  if (target.kind === 'customer') return stripeNow.intent.customerDefault;
  const early = await stripeNow.earlySubscriptionDefault;
  return early && defaultOwnerKey(early.target) === defaultOwnerKey(target) ? early.current : undefined;
}

export async function unownedSubscriptionDefault(
  deps: StepDeps,
  hinted: DefaultTarget[],
  owners: Map<string, DefaultOwner>,
): Promise<EarlyDefault> {
  const target = hinted.find(({ kind }) => kind === 'subscription');
  if (!target || owners.has(defaultOwnerKey(target))) return undefined;
  return { target, current: await deps.stripe.currentDefaultPaymentMethod(target) };
}

/**
 * Each target's step: from its owner record, or, without one, from Stripe's current default. Owner records
 * never expire, so this costs Stripe reads only on a customer's or subscription's first setup through this
 * service: none for the customer (expanded on the SetupIntent), one for a subscription (read alongside it).
 */
export async function stepsFor(
  deps: StepDeps,
  plan: ApplyPlan,
  targets: DefaultTarget[],
  owners: Map<string, DefaultOwner>,
  stripeNow: StripeNow,
): Promise<{ target: DefaultTarget; step: StepResult | 'todo' }[]> {
  const currentDefault = async (target: DefaultTarget) => {
    const read = await defaultReadThisAttempt(stripeNow, target);
    return read !== undefined ? read : deps.stripe.currentDefaultPaymentMethod(target);
  };
  return Promise.all(
    targets.map(async (target) => {
      const owner = owners.get(defaultOwnerKey(target));
      if (owner) return { target, step: stepFor(owner, plan.setupOrder) };
      const newer = isNewerThanSetup(await currentDefault(target), plan);
      return { target, step: newer ? ('superseded' as const) : ('todo' as const) };
    }),
  );
}
