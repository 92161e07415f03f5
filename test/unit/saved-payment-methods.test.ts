import { setupOrderOf } from '../../functions/shared/flow/apply-default-payment-method';
import { changeOrderOf, parseDefaultChangeMessage } from '../../functions/shared/flow/default-change-message';
import { describeUsers, usersOf } from '../../functions/shared/flow/removal-check';
import { followersOf, methodToDetach } from '../../functions/shared/flow/subscription-defaults';
import type { CustomerSubscriptions } from '../../functions/shared/ports';

const listing: CustomerSubscriptions = {
  customerDefault: 'pm_old',
  subscriptions: [
    { id: 'sub_onold', status: 'active', defaultPaymentMethodId: 'pm_old' },
    { id: 'sub_inherits', status: 'active', defaultPaymentMethodId: null },
    { id: 'sub_chosen', status: 'trialing', defaultPaymentMethodId: 'pm_chosen' },
    { id: 'sub_pastdue', status: 'past_due', defaultPaymentMethodId: 'pm_old' },
    { id: 'sub_incomplete', status: 'incomplete', defaultPaymentMethodId: 'pm_old' },
  ],
};
const ids = (subs: { id: string }[]) => subs.map((s) => s.id);

describe('followersOf: which subscriptions move with the customer default', () => {
  it('follow: chargeable ones on the replaced method; not those inheriting, on a chosen method, or not chargeable', () => {
    expect(ids(followersOf({ paymentMethodId: 'pm_new' }, listing, 'pm_old', 'follow'))).toEqual([
      'sub_onold',
      'sub_pastdue',
    ]);
  });
  it('named-only, or a named subscription: none', () => {
    expect(followersOf({ paymentMethodId: 'pm_new' }, listing, 'pm_old', 'named-only')).toEqual([]);
    expect(
      followersOf({ paymentMethodId: 'pm_new', subscriptionId: 'sub_onold' }, listing, 'pm_old', 'follow'),
    ).toEqual([]);
  });
  it('"all": every chargeable subscription not already on the method', () => {
    expect(
      ids(
        followersOf(
          { paymentMethodId: 'pm_chosen', allSubscriptions: true },
          listing,
          'pm_old',
          'named-only',
        ),
      ),
    ).toEqual(['sub_onold', 'sub_inherits', 'sub_pastdue']);
  });
  it('a removal moves every subscription on the removed method, whatever its status', () => {
    expect(
      ids(followersOf({ paymentMethodId: 'pm_new', removing: 'pm_old' }, listing, undefined, 'named-only')),
    ).toEqual(['sub_onold', 'sub_pastdue', 'sub_incomplete']);
  });
});

describe('methodToDetach', () => {
  it('detaches the replaced method only with the option on and nothing left on it', () => {
    const plan = { paymentMethodId: 'pm_new' };
    expect(methodToDetach(plan, listing, 'pm_old', false, [])).toBeUndefined();
    expect(methodToDetach(plan, listing, 'pm_old', true, ['sub_onold', 'sub_pastdue'])).toEqual({
      inUseBy: ['sub_incomplete'],
    });
    expect(
      methodToDetach(plan, listing, 'pm_old', true, ['sub_onold', 'sub_pastdue', 'sub_incomplete']),
    ).toEqual({
      detach: 'pm_old',
    });
  });
});

describe('usersOf: who a removal would leave without a method', () => {
  it('the customer default pays the customer and every chargeable subscription inheriting it', () => {
    const users = usersOf('pm_old', { listing, customerDefault: 'pm_old' });
    expect(users).toEqual({ customer: true, subscriptions: ['sub_onold', 'sub_inherits', 'sub_pastdue'] });
    expect(describeUsers(users)).toContain('sub_inherits');
  });
  it('a method only a subscription chose', () => {
    expect(usersOf('pm_chosen', { listing, customerDefault: 'pm_old' })).toEqual({
      customer: false,
      subscriptions: ['sub_chosen'],
    });
  });
  it('a method nothing uses', () => {
    expect(usersOf('pm_spare', { listing, customerDefault: 'pm_old' })).toEqual({
      customer: false,
      subscriptions: [],
    });
  });
});

describe('change messages and their order against setups', () => {
  it('a change requested later in the same second as a SetupIntent sorts after it; a later second after both', () => {
    const setup = setupOrderOf({ created: 1_800_000_000, id: 'seti_zzz' });
    const change = changeOrderOf(1_800_000_000_250, 'chg_aaa');
    const laterChange = changeOrderOf(1_800_000_000_900, 'chg_000');
    const laterSetup = setupOrderOf({ created: 1_800_000_001, id: 'seti_000' });
    expect([laterSetup, laterChange, change, setup].sort()).toEqual([setup, change, laterChange, laterSetup]);
  });
  it('parses what the API enqueues and refuses inconsistent or foreign bodies', () => {
    const make = {
      kind: 'default_change',
      changeId: 'chg_abc',
      action: 'make_default',
      customerId: 'cus_1',
      paymentMethodId: 'pm_1',
      requestedAt: 1,
      livemode: false,
    };
    expect(parseDefaultChangeMessage(JSON.stringify(make))).toEqual(make);
    expect(parseDefaultChangeMessage(JSON.stringify({ ...make, paymentMethodId: null }))).toBeUndefined();
    expect(parseDefaultChangeMessage(JSON.stringify({ ...make, removing: 'pm_2' }))).toBeUndefined();
    expect(
      parseDefaultChangeMessage(JSON.stringify({ ...make, action: 'remove', paymentMethodId: null })),
    ).toBeUndefined();
    expect(
      parseDefaultChangeMessage(
        JSON.stringify({ ...make, action: 'remove', paymentMethodId: null, removing: 'pm_2' }),
      ),
    ).toMatchObject({ action: 'remove', removing: 'pm_2' });
    expect(parseDefaultChangeMessage(JSON.stringify({ ...make, extra: 1 }))).toBeUndefined();
    expect(parseDefaultChangeMessage('not json')).toBeUndefined();
  });
});
