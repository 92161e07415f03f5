import Stripe from 'stripe';
import { API_VERSION as STAND_IN_API_VERSION } from '../../dev/stripe-stand-in/store';
import { STRIPE_API_VERSION } from '../../functions/shared/stripe-api-version';

// Oracle: the pinned SDK's own version (stripe/cjs/apiVersion.js, "generated from our OpenAPI spec").
describe('the Stripe API version', () => {
  it('the service, the stand-in and the pinned SDK name the same version', () => {
    expect(STRIPE_API_VERSION).toBe(Stripe.API_VERSION);
    expect(STAND_IN_API_VERSION).toBe(Stripe.API_VERSION);
  });
});
