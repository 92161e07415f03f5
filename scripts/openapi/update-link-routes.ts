/** The update-link routes for the OpenAPI document, in api-routes.ts's format. */
import {
  mintedUpdateLink,
  mintUpdateLinkBody,
  revokedUpdateLink,
  updateLinkId,
  updateLinkToken,
} from '../../functions/checkout-api/update-link-requests';
import { type ApiResponse, type ApiRoute, error, retryAfter } from './route-parts';

export const UPDATE_LINK_SCHEMAS = {
  MintUpdateLinkRequest: mintUpdateLinkBody,
  UpdateLink: mintedUpdateLink,
  RevokedUpdateLink: revokedUpdateLink,
};

const backendOnly = error(
  'Not the SaaS’s backend (`backend_only`): an IAM-signed call, or a JWT with the configured `UPDATE_LINKS_SCOPE`.',
);
const page = (description: string): ApiResponse => ({ description, html: true });

export const UPDATE_LINK_ROUTES: ApiRoute[] = [
  {
    routeKey: 'GET /u/{token}',
    operationId: 'openUpdateLink',
    summary: 'Open an update link (no login): to Checkout for the link’s customer',
    description:
      'The signed token is checked before anything else, at no Stripe cost. The link’s open Checkout Session is reused until it expires, so a mail scanner or a second click mints nothing; otherwise a new one is created within the customer’s session budget.',
    auth: 'none',
    pathParameters: { token: updateLinkToken },
    responses: {
      303: { description: 'See Other: to Stripe Checkout.', headers: { Location: 'The Checkout page.' } },
      404: page('Not a link this service signed (a readable HTML page).'),
      410: page('Used, expired or revoked (a readable HTML page).'),
      429: { ...error('More than the customer’s sessions in a minute.'), headers: retryAfter },
      502: error('Stripe failed or could not be reached.'),
      503: { ...error('Stripe or AWS is busy.'), headers: retryAfter },
    },
  },
  {
    routeKey: 'POST /update-links',
    operationId: 'mintUpdateLink',
    summary: 'Mint an update link for a customer’s email (the SaaS’s backend only)',
    description:
      'Authorized for the backend: IAM (SigV4) by default, or a JWT carrying the scope the operator names. A customer’s own token is refused. With `invoice`, the setup the link leads to pays that invoice and older open ones of the subscription, oldest first.',
    auth: 'backend',
    body: { contentType: 'application/json', schema: mintUpdateLinkBody },
    responses: {
      201: {
        description: 'Created.',
        body: mintedUpdateLink,
        headers: { Location: 'The link’s URL for revoking it.' },
      },
      400: error('A field is malformed or unknown.'),
      403: backendOnly,
      404: error('Stripe has no such subscription or invoice.'),
      415: error('Wrong Content-Type.'),
      502: error('Stripe failed or could not be reached.'),
      503: { ...error('Stripe or AWS is busy.'), headers: retryAfter },
    },
  },
  {
    routeKey: 'DELETE /update-links/{id}',
    operationId: 'revokeUpdateLink',
    summary: 'Revoke an update link (the SaaS’s backend only)',
    auth: 'backend',
    pathParameters: { id: updateLinkId },
    responses: {
      200: { description: 'Revoked: opening it answers 410.', body: revokedUpdateLink },
      400: error('The id is malformed.'),
      403: backendOnly,
      404: error('No such link.'),
      409: error('The link was already used.'),
      503: { ...error('AWS is busy.'), headers: retryAfter },
    },
  },
];
