/** The saved-method routes (issue 14) for the OpenAPI document, in api-routes.ts's format. */
import {
  changeId,
  changeStatusQuery,
  listPaymentMethodsQuery,
  makeDefaultBody,
  paymentMethodId,
  removeQuery,
} from '../../functions/checkout-api/payment-method-requests';
import {
  acceptedChange,
  changeStatus,
  paymentMethodList,
} from '../../functions/shared/payment-method-api-responses';
import { type ApiRoute, error, retryAfter, unauthorized } from './route-parts';

export const PAYMENT_METHOD_SCHEMAS = {
  PaymentMethodList: paymentMethodList,
  MakeDefaultRequest: makeDefaultBody,
  AcceptedChange: acceptedChange,
  ChangeStatus: changeStatus,
};

const common = {
  401: unauthorized,
  403: error('`customer` names another customer than the caller’s.'),
  502: error('Stripe failed or could not be reached.'),
  503: { ...error('Stripe is rate limiting, or the service is busy.'), headers: retryAfter },
};
const statusBudget = {
  ...error('More than the caller’s status requests (reads) in a minute.'),
  headers: retryAfter,
};
const accepted = {
  description: 'Accepted: the worker applies it in order with the customer’s setups.',
  body: acceptedChange,
  headers: { Location: 'The change’s status URL.' },
};

export const PAYMENT_METHOD_ROUTES: ApiRoute[] = [
  {
    routeKey: 'GET /payment-methods',
    operationId: 'listPaymentMethods',
    summary: 'The caller’s saved payment methods, which one is the default and what each one pays',
    description:
      'Paged as Stripe pages (`customers.listPaymentMethods`): newest first, `limit`, `starting_after`.',
    auth: 'bearer',
    query: listPaymentMethodsQuery,
    responses: {
      200: { description: 'One page.', body: paymentMethodList },
      400: error('A query parameter is malformed or unknown.'),
      404: error('`starting_after` names no method of this customer.'),
      429: statusBudget,
      ...common,
    },
  },
  {
    routeKey: 'POST /payment-methods/{id}/default',
    operationId: 'makePaymentMethodDefault',
    summary: 'Make a saved method the default for the customer (and a subscription, or all)',
    description:
      'With `subscriptionDefaults=follow`, subscriptions on the replaced method follow. A method that is not the caller’s answers 404, like a missing one.',
    auth: 'bearer',
    pathParameters: { id: paymentMethodId },
    body: { contentType: 'application/json', schema: makeDefaultBody },
    responses: {
      202: accepted,
      400: error('The id or the body is malformed.'),
      404: error('No such payment method for this caller.'),
      409: error('The named subscription can no longer be charged.'),
      422: error(
        'The method cannot pay the named subscription: its currency or `payment_settings.payment_method_types` (`payment_method_not_accepted`).',
      ),
      413: error('The body is over 16 KiB.'),
      415: error('Wrong Content-Type.'),
      429: { ...error('More than the per-customer budget in a minute.'), headers: retryAfter },
      ...common,
    },
  },
  {
    routeKey: 'DELETE /payment-methods/{id}',
    operationId: 'removePaymentMethod',
    summary: 'Detach a saved method; `replaceWith` names the method that takes its place first',
    auth: 'bearer',
    pathParameters: { id: paymentMethodId },
    query: removeQuery,
    responses: {
      202: accepted,
      400: error('The id or the query is malformed.'),
      404: error('No such payment method for this caller.'),
      409: error('The method is the customer’s default or pays a subscription (`payment_method_in_use`).'),
      422: error(
        'The replacement cannot pay a subscription on the removed method: its currency or `payment_method_types` (`payment_method_not_accepted`).',
      ),
      429: { ...error('More than the per-customer budget in a minute.'), headers: retryAfter },
      ...common,
    },
  },
  {
    routeKey: 'GET /payment-methods/changes/{id}',
    operationId: 'getPaymentMethodChange',
    summary: 'Where a switch or removal stands: queued, processing, applied, superseded or failed',
    auth: 'bearer',
    pathParameters: { id: changeId },
    query: changeStatusQuery,
    responses: {
      200: { description: 'The change.', body: changeStatus },
      400: error('The id or the query is malformed.'),
      404: error('No such change for this caller.'),
      429: statusBudget,
      401: unauthorized,
      403: error('`customer` names another customer than the caller’s.'),
    },
  },
];
