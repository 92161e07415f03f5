import type Stripe from 'stripe';

/**
 * A subscription on a schedule takes each phase's `default_payment_method` (or the schedule's
 * `default_settings.default_payment_method`) when that phase starts (SubscriptionSchedules.d.ts;
 * https://docs.stripe.com/billing/subscriptions/subscription-schedules). So a default changed on the
 * subscription alone lasts only until the next phase: the schedule has to name the new method too.
 */

type Expandable = string | { id: string } | null;
const idOf = (value: Expandable): string | null =>
  value === null ? null : typeof value === 'string' ? value : value.id;

/** Only a schedule still managing its subscription has phases to come. */
export function isManaging(schedule: Stripe.SubscriptionSchedule): boolean {
  return schedule.status === 'active' || schedule.status === 'not_started';
}

/** The current phase and the ones after it ("past phases can be omitted" from an update). */
function phasesToCome(schedule: Stripe.SubscriptionSchedule): Stripe.SubscriptionSchedule.Phase[] {
  const from = schedule.current_phase?.start_date;
  return from === undefined ? schedule.phases : schedule.phases.filter((phase) => phase.end_date > from);
}

/** The methods the schedule will charge from now on: its defaults and those its current and future phases name. */
export function methodsNamedBy(schedule: Stripe.SubscriptionSchedule): string[] {
  if (!isManaging(schedule)) return [];
  const named = [
    idOf(schedule.default_settings.default_payment_method),
    ...phasesToCome(schedule).map((phase) => idOf(phase.default_payment_method)),
  ];
  return [...new Set(named.filter((id): id is string => id !== null))];
}

/**
 * The phase as update parameters. An update replaces the phases it is given, so each one is sent back with
 * what it holds (items, dates, metadata, discounts, trial, collection); only its method changes.
 */
function phaseParams(
  phase: Stripe.SubscriptionSchedule.Phase,
  method: string | null,
): Stripe.SubscriptionScheduleUpdateParams.Phase {
  const discounts = phase.discounts.flatMap(
    (discount): Stripe.SubscriptionScheduleUpdateParams.Phase.Discount[] => {
      const coupon = idOf(discount.coupon);
      const existing = idOf(discount.discount);
      const promotion = idOf(discount.promotion_code);
      if (existing) return [{ discount: existing }];
      if (promotion) return [{ promotion_code: promotion }];
      return coupon ? [{ coupon }] : [];
    },
  );
  return {
    start_date: phase.start_date,
    end_date: phase.end_date,
    currency: phase.currency,
    proration_behavior:
      phase.proration_behavior as Stripe.SubscriptionScheduleUpdateParams.Phase.ProrationBehavior,
    items: phase.items.map((item) => ({
      price: idOf(item.price) ?? '',
      ...(item.quantity === undefined ? {} : { quantity: item.quantity }),
      ...(item.metadata && Object.keys(item.metadata).length > 0 ? { metadata: item.metadata } : {}),
    })),
    ...(method ? { default_payment_method: method } : {}),
    ...(phase.metadata && Object.keys(phase.metadata).length > 0 ? { metadata: phase.metadata } : {}),
    ...(discounts.length > 0 ? { discounts } : {}),
    ...(phase.description ? { description: phase.description } : {}),
    ...(phase.collection_method ? { collection_method: phase.collection_method } : {}),
    ...(phase.trial_end ? { trial_end: phase.trial_end } : {}),
  };
}

/**
 * What to send so the schedule names `to` wherever it names `from` from now on (every method, when `from` is
 * undefined: a switch of the subscription's default); undefined when it already does.
 */
export function scheduleUpdateFor(
  schedule: Stripe.SubscriptionSchedule,
  to: string,
  from?: string,
): Stripe.SubscriptionScheduleUpdateParams | undefined {
  if (!isManaging(schedule)) return undefined;
  const replaces = (method: string | null) =>
    method !== null && method !== to && (from === undefined || method === from);
  const phases = phasesToCome(schedule);
  const defaults = replaces(idOf(schedule.default_settings.default_payment_method));
  const anyPhase = phases.some((phase) => replaces(idOf(phase.default_payment_method)));
  if (!defaults && !anyPhase) return undefined;
  return {
    ...(defaults ? { default_settings: { default_payment_method: to } } : {}),
    ...(anyPhase
      ? {
          proration_behavior: 'none' as const,
          phases: phases.map((phase) => {
            const method = idOf(phase.default_payment_method);
            return phaseParams(phase, replaces(method) ? to : method);
          }),
        }
      : {}),
  };
}

/** Updates the schedule (if it names another method) so its phases to come keep `to`. */
export async function alignSchedule(
  stripe: Stripe,
  schedule: Stripe.SubscriptionSchedule | string | null,
  to: string,
  from?: string,
): Promise<void> {
  if (schedule === null) return;
  const current =
    typeof schedule === 'string' ? await stripe.subscriptionSchedules.retrieve(schedule) : schedule;
  const update = scheduleUpdateFor(current, to, from);
  if (update) await stripe.subscriptionSchedules.update(current.id, update);
}
