import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchSettings } from '../settings';
import { mapLimit } from '../support/concurrency';
import { countPurposes, writesIn } from '../support/dynamodb-purposes';
import { sessionStatusEvent } from '../support/http-events';
import { wireQuietCheckoutApi } from '../support/quiet-checkout-api';
import type { Row } from '../support/report';
import { type CompletedSetup, completedSetups, deliverThroughWebhook } from '../support/setups';
import type { BenchStandIns } from '../support/stand-ins';

const MAX_READS_PER_POLL = 0.1;
/** Pages whose webhook never came: a smaller sample (the ratio is per session, not per count). */
const LOST_WEBHOOK_PAGES = 50;
/** The least time between one page's polls: the docs' success-page loop starts at 1 s (docs/integrate.md). */
const POLL_INTERVAL_MS = 1000;

export interface StatusPolls {
  rows: Row[];
  stripeReadsPerPoll: number;
  dynamodbWritesPerPoll: number;
  dynamodbReadsPerPoll: number;
  /** Mean time inside the handler per poll. */
  meanPollMs: number;
}

/**
 * Success pages polling the real session API handler (one instance, the shared status view on as deployed:
 * STATUS_SHARED_REFRESH_SECONDS default) before their setups are applied, the case a backlog makes common:
 * every session complete at Stripe and its signed `checkout.session.completed` delivered to the real webhook
 * handler (which queues it and records the completion), no worker run yet. Then, apart, pages whose webhook
 * never came (the status route reads Stripe and queues each setup itself). Counts what reached the Stripe
 * stand-in and DynamoDB per poll.
 */
export async function measureStatusPolls(
  standIns: BenchStandIns,
  settings: BenchSettings,
): Promise<StatusPolls> {
  const { statusPages, pollsPerPage } = settings;
  const setups = await completedSetups(standIns, statusPages);
  const queueUrl = await standIns.createQueue('bench-status-polls');
  await deliverThroughWebhook(standIns, setups, queueUrl);
  const lostWebhook = await completedSetups(standIns, Math.min(LOST_WEBHOOK_PAGES, statusPages));
  const checkoutApi = wireQuietCheckoutApi({ ...standIns.functionEnv, QUEUE_URL: queueUrl });
  const delivered = await pollPages(standIns, checkoutApi, setups, pollsPerPage);
  const lost = await pollPages(standIns, checkoutApi, lostWebhook, pollsPerPage);
  const { polls, stripeReads, statuses, seconds, dynamodb, handlerMs } = delivered;
  const ok = statuses.get(200) ?? 0;
  const stripeReadsPerPoll = stripeReads / polls;
  return {
    stripeReadsPerPoll,
    meanPollMs: handlerMs / polls,
    dynamodbWritesPerPoll: writesIn(dynamodb) / polls,
    dynamodbReadsPerPoll: dynamodb.read / polls,
    rows: [
      {
        figure: `Stripe reads per status poll (${setups.length} success pages × ${pollsPerPage} polls ≥ 1 s apart, webhook delivered, ${seconds.toFixed(1)} s)`,
        value: `${stripeReads} ÷ ${polls} = ${stripeReadsPerPoll.toFixed(3)}; answers ${answers(statuses)}`,
        target: `≤ ${MAX_READS_PER_POLL}, every poll 200`,
        pass: stripeReadsPerPoll <= MAX_READS_PER_POLL && ok === polls,
        data: { stripeReads, polls, statuses: Object.fromEntries(statuses), seconds },
      },
      {
        figure: 'DynamoDB requests per status poll',
        value: `${(writesIn(dynamodb) / polls).toFixed(2)} writes, ${(dynamodb.read / polls).toFixed(2)} reads`,
        target: '',
        data: { dynamodb },
      },
      {
        figure: `Stripe reads per status poll, webhook never delivered (${lostWebhook.length} pages × ${pollsPerPage} polls)`,
        value: `${lost.stripeReads} ÷ ${lost.polls} = ${(lost.stripeReads / lost.polls).toFixed(3)}; answers ${answers(lost.statuses)}`,
        // One read per session is the floor here: nothing but Stripe knows the session completed.
        target: '',
        data: {
          stripeReads: lost.stripeReads,
          polls: lost.polls,
          statuses: Object.fromEntries(lost.statuses),
        },
      },
    ],
  };
}

/** Each page polls `pollsPerPage` times, at least a second apart, 16 at once; counted from a clean log. */
async function pollPages(
  standIns: BenchStandIns,
  checkoutApi: ReturnType<typeof wireQuietCheckoutApi>,
  setups: readonly CompletedSetup[],
  pollsPerPage: number,
) {
  standIns.stripeStandIn.clearRequests();
  standIns.dynamodbCalls.clear();
  const started = Date.now();
  const statuses = new Map<number, number>();
  let handlerMs = 0;
  for (let round = 0; round < pollsPerPage; round++) {
    const roundStarted = Date.now();
    await mapLimit(setups.length, 16, async (index) => {
      const setup = setups[index] as CompletedSetup;
      const pollStarted = performance.now();
      const reply = await checkoutApi(sessionStatusEvent(setup.sessionId, setup.customerId));
      handlerMs += performance.now() - pollStarted;
      const status = reply.statusCode ?? 0;
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    });
    const left = POLL_INTERVAL_MS - (Date.now() - roundStarted);
    if (left > 0 && round < pollsPerPage - 1) await sleep(left);
  }
  return {
    polls: setups.length * pollsPerPage,
    stripeReads: standIns.stripeStandIn.requests.length,
    dynamodb: countPurposes(standIns.dynamodbCalls.calls),
    statuses,
    handlerMs,
    seconds: (Date.now() - started) / 1000,
  };
}

const answers = (statuses: Map<number, number>) =>
  [...statuses].map(([status, count]) => `${count} × ${status}`).join(', ');
