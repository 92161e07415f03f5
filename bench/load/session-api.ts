/*
 * Child process: the deployed session API bundle creating setup sessions for existing customers, then
 * answering status requests for them, a few requests in flight, as a frontend would drive it.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mapLimit } from '../support/concurrency';
import { createSessionEvent, sessionStatusEvent } from '../support/http-events';
import { nowMs } from '../support/stats';
import { driverParams, loadHandler, rssBytes, runDriver } from './driver';

export interface SessionApiParams {
  customers: { customerId: string; subscriptionId: string }[];
  requests: number;
  concurrency: number;
}

export interface SessionApiResult {
  createMs: number[];
  statusMs: number[];
  rssAfterInitBytes: number;
}

type SessionApi = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

runDriver(async (): Promise<SessionApiResult> => {
  const { customers, requests, concurrency } = driverParams<SessionApiParams>();
  const sessionApi = loadHandler<SessionApi>();
  const rssAfterInitBytes = rssBytes();
  const call = async (event: APIGatewayProxyEventV2, expected: number, into: number[]) => {
    const started = nowMs();
    const reply = await sessionApi(event);
    into.push(nowMs() - started);
    if (reply.statusCode !== expected)
      throw new Error(`session API answered ${reply.statusCode}: ${reply.body}`);
    return JSON.parse(reply.body ?? '{}') as { id: string };
  };
  const customerAt = (index: number) =>
    customers[index % customers.length] as SessionApiParams['customers'][0];

  const createMs: number[] = [];
  const statusMs: number[] = [];
  const half = Math.ceil(requests / 2);
  const sessions = await mapLimit(half, concurrency, async (index) => {
    const { customerId, subscriptionId } = customerAt(index);
    return (await call(createSessionEvent(customerId, subscriptionId), 201, createMs)).id;
  });
  await mapLimit(requests - half, concurrency, (index) =>
    call(
      sessionStatusEvent(sessions[index % sessions.length] as string, customerAt(index).customerId),
      200,
      statusMs,
    ),
  );
  return { createMs, statusMs, rssAfterInitBytes };
});
