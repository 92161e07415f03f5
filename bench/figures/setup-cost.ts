import type { Row } from '../support/report';
import type { StatusPolls } from './status-polls';
import type { SustainedSetups } from './sustained-setups';

/**
 * AWS list prices, US East (N. Virginia), on-demand, without free tiers:
 * - Lambda arm64 (the stack's functions, 256 MB): $0.0000133334 per GB-second, $0.20 per million requests
 *   (https://aws.amazon.com/lambda/pricing/);
 * - SQS FIFO: $0.50 per million requests, each 64 KB chunk one request (https://aws.amazon.com/sqs/pricing/);
 * - DynamoDB on-demand: $0.625 per million write request units, $0.125 per million read request units
 *   (https://aws.amazon.com/dynamodb/pricing/on-demand/);
 * - EventBridge custom events: $1.00 per million (https://aws.amazon.com/eventbridge/pricing/);
 * - API Gateway HTTP API: $1.00 per million requests (https://aws.amazon.com/api-gateway/pricing/).
 */
export const AWS_PRICES_US_EAST_1 = {
  lambdaGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  sqsFifoRequest: 0.5 / 1e6,
  dynamodbWriteUnit: 0.625 / 1e6,
  dynamodbReadUnit: 0.125 / 1e6,
  eventBridgeEvent: 1 / 1e6,
  httpApiRequest: 1 / 1e6,
} as const;

const LAMBDA_GB = 256 / 1024;
const SETUPS = 1_000_000;
/** Polls a success page makes: the docs' loop (1 s, then ×1.5) while a setup takes a few seconds. */
const POLLS_PER_SETUP = 5;
/** Lambda bills at least 1 ms; the webhook verifies a signature and sends one message (figure 3). */
const WEBHOOK_MS = 30;

/**
 * What one million setups cost in AWS charges, each line's quantity per setup from the measured figures
 * (sustained run: DynamoDB requests, worker invocations and busy time; status polls: their DynamoDB requests
 * and handler time) or, where stated, from the flow's shape. Every DynamoDB request is taken as one unit
 * (items under 1 KB written, 4 KB read).
 */
export function setupCostRows(sustained: SustainedSetups, polls: StatusPolls): Row[] {
  const price = AWS_PRICES_US_EAST_1;
  const apiRequests = 1 + POLLS_PER_SETUP;
  const lines: [string, number][] = [
    [
      `API Gateway: ${apiRequests} requests (1 session + ${POLLS_PER_SETUP} polls) + 1 webhook`,
      (apiRequests + 1) * price.httpApiRequest,
    ],
    [
      `Lambda requests: ${apiRequests + 1} API/webhook + ${sustained.workerInvocationsPerSetup.toFixed(2)} worker`,
      (apiRequests + 1 + sustained.workerInvocationsPerSetup) * price.lambdaRequest,
    ],
    [
      `Lambda GB-s: worker ${sustained.workerSecondsPerSetup.toFixed(2)} s, polls ${POLLS_PER_SETUP} × ${polls.meanPollMs.toFixed(0)} ms, session + webhook ${(polls.meanPollMs + WEBHOOK_MS).toFixed(0)} ms`,
      (sustained.workerSecondsPerSetup +
        (POLLS_PER_SETUP * polls.meanPollMs + polls.meanPollMs + WEBHOOK_MS) / 1000) *
        LAMBDA_GB *
        price.lambdaGbSecond,
    ],
    [
      `SQS FIFO: send + receive + delete = ${(1 + 2 * sustained.workerInvocationsPerSetup).toFixed(2)} requests`,
      (1 + 2 * sustained.workerInvocationsPerSetup) * price.sqsFifoRequest,
    ],
    [
      `DynamoDB: ${sustained.dynamodbWritesPerSetup.toFixed(2)} + ${POLLS_PER_SETUP} × ${polls.dynamodbWritesPerPoll.toFixed(2)} WRU, ${sustained.dynamodbReadsPerSetup.toFixed(2)} + ${POLLS_PER_SETUP} × ${polls.dynamodbReadsPerPoll.toFixed(2)} RRU`,
      (sustained.dynamodbWritesPerSetup + POLLS_PER_SETUP * polls.dynamodbWritesPerPoll) *
        price.dynamodbWriteUnit +
        (sustained.dynamodbReadsPerSetup + POLLS_PER_SETUP * polls.dynamodbReadsPerPoll) *
          price.dynamodbReadUnit,
    ],
    ['EventBridge: 1 outcome event', price.eventBridgeEvent],
  ];
  const total = lines.reduce((sum, [, perSetup]) => sum + perSetup, 0) * SETUPS;
  return [
    ...lines.map(
      ([figure, perSetup]): Row => ({
        figure: `cost: ${figure}`,
        value: `$${(perSetup * SETUPS).toFixed(2)}`,
        target: '',
        data: { perSetup },
      }),
    ),
    {
      figure: 'cost of one million setups (us-east-1 list prices, no free tier)',
      value: `$${total.toFixed(2)}`,
      target: '',
      data: { total, prices: price, pollsPerSetup: POLLS_PER_SETUP, webhookMs: WEBHOOK_MS },
    },
  ];
}
