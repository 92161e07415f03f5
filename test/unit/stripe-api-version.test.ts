import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Stripe from 'stripe';
import { API_VERSION as STAND_IN_API_VERSION } from '../../dev/stripe-stand-in/store';
import { STRIPE_API_VERSION } from '../../functions/shared/stripe-api-version';

// Oracle: the pinned SDK's own version (stripe/cjs/apiVersion.js, "generated from our OpenAPI spec").
describe('the Stripe API version', () => {
  it('the service, the stand-in and the pinned SDK name the same version', () => {
    expect(STRIPE_API_VERSION).toBe(Stripe.API_VERSION);
    expect(STAND_IN_API_VERSION).toBe(Stripe.API_VERSION);
  });

  // Stripe CLI / API (https://docs.stripe.com/api/webhook_endpoints/create, `api_version`): "Events sent to this
  // endpoint will be generated with this Stripe Version instead of your account's default Stripe Version."
  it('every webhook endpoint registration the docs tell an operator to run names that version', () => {
    const root = join(__dirname, '../..');
    const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md'))];
    const commands = pages.flatMap((page) => {
      const text = readFileSync(join(root, page === 'README.md' ? page : `docs/${page}`), 'utf8');
      return [...text.matchAll(/stripe webhook_endpoints create[^`]*/g)].map((found) => found[0]);
    });
    expect(commands.length).toBeGreaterThan(0);
    for (const command of commands) expect(command).toContain(`api_version=${Stripe.API_VERSION}`);
  });
});
