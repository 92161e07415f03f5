import { PERIOD_SECONDS } from '../billing/billing-settings';
import { runBillingUntil } from '../billing/lifecycle';
import { invalidRequest, resourceMissing } from '../errors';
import { newId, nowSeconds } from '../ids';
import { paginate } from '../list';
import { optionalString, requiredString } from '../params';
import type { ApiRoute } from '../router';
import type { StandInStore } from '../store';
import type { StoredTestClock } from '../types';

/**
 * Stripe's Test Clocks (https://docs.stripe.com/api/test_clocks, TestHelpers/TestClocks.d.ts): customers created
 * with `test_clock` live at the clock's `frozen_time`; `advance` answers at once with `status: advancing` and the
 * clock turns `ready` once every subscription and invoice on it has caught up
 * (https://docs.stripe.com/billing/testing/test-clocks: "Advancement is done when status changes to Ready").
 */

/** Stripe deletes a clock and its objects 30 days after creation (`deletes_after`). */
const CLOCK_LIFETIME_SECONDS = 30 * 24 * 60 * 60;
const TWO_YEARS_SECONDS = 2 * 365 * 24 * 60 * 60;

function clockFromPath(store: StandInStore, id: string | undefined): StoredTestClock {
  const clock = store.testClocks.get(id ?? '');
  if (clock === undefined) throw resourceMissing('test_clock', id ?? '', 'id');
  return clock;
}

function integerParam(value: string, param: string): number {
  const parsed = Number.parseInt(value, 10);
  if (!Number.isFinite(parsed))
    throw invalidRequest(`Invalid integer: ${value}`, { param, beforeExecution: true });
  return parsed;
}

/** "Cannot be more than two intervals in the future from the shortest subscription in this test clock." */
function latestAdvance(store: StandInStore, clock: StoredTestClock): number {
  const onClock = [...store.subscriptions.values()].some(
    (s) => s.test_clock === clock.id && s.status !== 'canceled' && s.status !== 'incomplete_expired',
  );
  return clock.frozen_time + (onClock ? 2 * PERIOD_SECONDS : TWO_YEARS_SECONDS);
}

/** Runs the clock's objects up to its target, then marks it ready (`test_helpers.test_clock.ready`). */
export function completeAdvance(store: StandInStore, clock: StoredTestClock): void {
  const target = clock.status_details.advancing?.target_frozen_time;
  // A reset or a delete while advancing leaves nothing to finish.
  if (target === undefined || store.testClocks.get(clock.id) !== clock) return;
  try {
    runBillingUntil(store, clock.id, target, store.billingSettings, (at) => {
      clock.frozen_time = at;
    });
    clock.frozen_time = target;
    clock.status = 'ready';
    clock.status_details = {};
    store.recordEvent('test_helpers.test_clock.ready', clock, clock.livemode, target);
  } catch (error) {
    console.error('[stripe-stand-in] test clock advance failed', error);
    clock.status = 'internal_failure';
    clock.status_details = {};
    store.recordEvent('test_helpers.test_clock.internal_failure', clock, clock.livemode);
  }
}

export const testClockRoutes: readonly ApiRoute[] = [
  {
    method: 'POST',
    path: '/v1/test_helpers/test_clocks',
    contract: { params: 'TestClockCreateParams', response: 'TestClock' },
    handle({ params, store, livemode }) {
      const frozenTime = integerParam(requiredString(params, 'frozen_time'), 'frozen_time');
      const customerId = optionalString(params, 'customer');
      const customer =
        customerId === undefined ? undefined : store.requireLiveCustomer(customerId, 'customer');
      if (customer !== undefined && customer.test_clock !== null) {
        throw invalidRequest('This customer is already attached to a test clock.', { param: 'customer' });
      }
      const created = nowSeconds();
      const clock: StoredTestClock = {
        id: newId('clock'),
        object: 'test_helpers.test_clock',
        created,
        deletes_after: created + CLOCK_LIFETIME_SECONDS,
        frozen_time: frozenTime,
        livemode,
        name: optionalString(params, 'name') ?? null,
        status: 'ready',
        status_details: {},
      };
      store.testClocks.set(clock.id, clock);
      if (customer !== undefined) customer.test_clock = clock.id;
      store.recordEvent('test_helpers.test_clock.created', clock, livemode, created);
      return { body: clock, effect: true };
    },
  },
  {
    method: 'GET',
    path: '/v1/test_helpers/test_clocks/:id',
    contract: { params: 'TestClockRetrieveParams', response: 'TestClock' },
    handle({ pathParams, store }) {
      return { body: clockFromPath(store, pathParams.id), effect: false };
    },
  },
  {
    method: 'GET',
    path: '/v1/test_helpers/test_clocks',
    contract: { params: 'TestClockListParams', response: 'TestClockList' },
    handle({ params, store }) {
      return {
        body: paginate(store.testClocks.values(), params, '/v1/test_helpers/test_clocks', 'test_clock'),
        effect: false,
      };
    },
  },
  {
    method: 'POST',
    path: '/v1/test_helpers/test_clocks/:id/advance',
    contract: { params: 'TestClockAdvanceParams', response: 'TestClock' },
    handle({ params, pathParams, store }) {
      const clock = clockFromPath(store, pathParams.id);
      const target = integerParam(requiredString(params, 'frozen_time'), 'frozen_time');
      if (clock.status !== 'ready') {
        throw invalidRequest(
          'The test clock is advancing. Wait until its status is ready to advance it again.',
          {
            code: 'test_clock_not_ready',
          },
        );
      }
      if (target <= clock.frozen_time) {
        throw invalidRequest('The frozen_time must be after the test clock’s current frozen_time.', {
          param: 'frozen_time',
        });
      }
      if (target > latestAdvance(store, clock)) {
        throw invalidRequest(
          'The frozen_time cannot be more than two intervals in the future from the shortest subscription on this test clock, or two years when it has none.',
          { param: 'frozen_time' },
        );
      }
      clock.status = 'advancing';
      clock.status_details = { advancing: { target_frozen_time: target } };
      store.recordEvent('test_helpers.test_clock.advancing', clock, clock.livemode, clock.frozen_time);
      const answer = JSON.parse(JSON.stringify(clock)) as StoredTestClock;
      store.scheduleClockAdvance(() => completeAdvance(store, clock));
      return { body: answer, effect: true };
    },
  },
  {
    method: 'DELETE',
    path: '/v1/test_helpers/test_clocks/:id',
    contract: { params: 'TestClockDeleteParams', response: 'DeletedTestClock' },
    handle({ pathParams, store }) {
      const clock = clockFromPath(store, pathParams.id);
      // Deleting a clock deletes the objects on it.
      for (const [id, customer] of store.customers) {
        if (customer.test_clock !== clock.id) continue;
        store.customers.delete(id);
        store.deletedCustomers.set(id, { id, object: 'customer', deleted: true });
      }
      for (const [id, subscription] of store.subscriptions) {
        if (subscription.test_clock === clock.id) store.subscriptions.delete(id);
      }
      for (const [id, invoice] of store.invoices) {
        if (invoice.test_clock === clock.id) store.invoices.delete(id);
      }
      store.testClocks.delete(clock.id);
      store.recordEvent('test_helpers.test_clock.deleted', clock, clock.livemode);
      return { body: { id: clock.id, object: 'test_helpers.test_clock', deleted: true }, effect: true };
    },
  },
];
