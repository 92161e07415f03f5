import type { SQSRecord } from 'aws-lambda';
import type { BenchSettings } from '../settings';
import { countPurposes, type PurposeCounts, WRITE_PURPOSES, writesIn } from '../support/dynamodb-purposes';
import type { Row, Section } from '../support/report';
import { completedSetups, deliverThroughWebhook } from '../support/setups';
import type { BenchStandIns } from '../support/stand-ins';
import { processNextMessage, type Worker, wireBenchWorker } from '../support/worker-runs';

interface EventCalls {
  stripe: number;
  stripePaths: string[];
  dynamodb: PurposeCounts;
}

interface Scenario {
  name: string;
  stripeTarget: number;
  events: EventCalls[];
}

const MAX_WRITES = 4;
const MAX_READS = 1;

/**
 * Requests per event as the stand-ins saw them: Stripe's request log, and DynamoDB through the counting
 * proxy, each call classified by purpose (bench/support/dynamodb-purposes.ts).
 */
export async function measureCallsPerEvent(
  standIns: BenchStandIns,
  settings: BenchSettings,
): Promise<Section> {
  const worker = wireBenchWorker(standIns, settings);
  const count = settings.eventsPerScenario;
  const attached = await completedSetups(standIns, count);
  const unattached = await completedSetups(standIns, count, { withoutCustomer: true });

  const processed: SQSRecord[] = [];
  const viaQueue = async (setups: typeof attached) => {
    const events: EventCalls[] = [];
    for (const setup of setups) {
      await deliverThroughWebhook(standIns, [setup], standIns.sqs.queueUrl);
      events.push(
        await counted(standIns, async () => {
          processed.push((await processNextMessage(standIns, worker)).record);
        }),
      );
    }
    return events;
  };
  const scenarios: Scenario[] = [
    { name: 'customer + subscription', stripeTarget: 3, events: await viaQueue(attached) },
    {
      name: 'attach path (SetupIntent without customer)',
      stripeTarget: 4,
      events: await viaQueue(unattached),
    },
  ];
  // A duplicate delivery straight to the worker: SQS FIFO would already drop one within 5 minutes.
  const duplicates: EventCalls[] = [];
  for (const record of processed.slice(0, count)) {
    duplicates.push(await counted(standIns, () => redeliver(worker, record)));
  }
  scenarios.push({ name: 'duplicate of an applied event', stripeTarget: 0, events: duplicates });

  return {
    title: `5. Calls per event (${count} events per scenario, counted on the stand-ins)`,
    rows: scenarios.flatMap(scenarioRows),
    notes: [
      'DynamoDB purposes (bench/support/dynamodb-purposes.ts): claim = conditional SET claimToken; ordering = the per-customer/subscription default-owner items, which double as step checkpoints (no separate checkpoint write exists); outcome = the write that REMOVEs claimToken; read = GetItem/BatchGetItem.',
    ],
  };
}

async function counted(standIns: BenchStandIns, work: () => Promise<void>): Promise<EventCalls> {
  standIns.stripeStandIn.clearRequests();
  standIns.dynamodbCalls.clear();
  await work();
  const requests = standIns.stripeStandIn.requests;
  return {
    stripe: requests.length,
    stripePaths: requests.map(
      (entry) => `${entry.method} ${entry.path.replace(/\/(cus|sub|cs|pm|seti)_\w+/g, '/$1_…')}`,
    ),
    dynamodb: countPurposes(standIns.dynamodbCalls.calls),
  };
}

async function redeliver(worker: Worker, record: SQSRecord): Promise<void> {
  const again = {
    ...record,
    messageId: `${record.messageId}-again`,
    attributes: { ...record.attributes, ApproximateReceiveCount: '2' },
  };
  const response = await worker({ Records: [again] });
  if (response.batchItemFailures.length > 0) throw new Error('the duplicate delivery failed');
}

function scenarioRows(scenario: Scenario): Row[] {
  const most = (of: (event: EventCalls) => number) => Math.max(...scenario.events.map(of));
  const least = (of: (event: EventCalls) => number) => Math.min(...scenario.events.map(of));
  const spread = (of: (event: EventCalls) => number) =>
    least(of) === most(of) ? `${most(of)}` : `${least(of)}–${most(of)}`;
  const first = scenario.events[0] as EventCalls;
  const byPurpose = [...WRITE_PURPOSES, 'read' as const]
    .filter((purpose) => scenario.events.some((event) => event.dynamodb[purpose] > 0))
    .map((purpose) => `${purpose} ${spread((event) => event.dynamodb[purpose])}`)
    .join(', ');
  return [
    {
      figure: `Stripe requests: ${scenario.name}`,
      value: `${spread((event) => event.stripe)}${first.stripePaths.length ? ` (${first.stripePaths.join(', ')})` : ''}`,
      target: `${scenario.stripeTarget}`,
      pass: scenario.events.every((event) => event.stripe === scenario.stripeTarget),
      data: { perEvent: scenario.events.map((event) => event.stripe), paths: first.stripePaths },
    },
    {
      figure: `DynamoDB requests: ${scenario.name}`,
      value: `${plural(
        spread((event) => writesIn(event.dynamodb)),
        'write',
      )}, ${plural(
        spread((event) => event.dynamodb.read),
        'read',
      )} (${byPurpose || 'none'})`,
      target: `≤ ${MAX_WRITES} writes, ≤ ${MAX_READS} read`,
      pass:
        most((event) => writesIn(event.dynamodb)) <= MAX_WRITES &&
        most((event) => event.dynamodb.read) <= MAX_READS,
      data: { perEvent: scenario.events.map((event) => event.dynamodb) },
    },
  ];
}

const plural = (count: string, noun: string) => `${count} ${noun}${count === '1' ? '' : 's'}`;
