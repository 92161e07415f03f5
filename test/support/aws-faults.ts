import {
  type AwsFaultProxy,
  type AwsService,
  type InjectedFault,
  startAwsFaultProxy,
} from './aws-fault-proxy';
import { type EventBridgeStandIn, startEventBridgeStandIn } from './eventbridge-stand-in';
import { type SecretsManagerStandIn, startSecretsManagerStandIn } from './secrets-manager-stand-in';

export const FAULTY_EVENT_BUS = 'setup-outcomes';

/**
 * The four AWS services the functions call, each behind a fault-injecting proxy: DynamoDB (dynalite) and
 * SQS (local-aws-sqs) as the stack starts them, plus the EventBridge and Secrets Manager stand-ins, with
 * the Stripe keys read from Secrets Manager by ARN and outcomes published on a bus, as deployed.
 */
export interface AwsFaults {
  proxies: Record<AwsService, AwsFaultProxy>;
  eventBridge: EventBridgeStandIn;
  secretsManager: SecretsManagerStandIn;
  /** Environment for the functions: AWS endpoints through the proxies, secrets by ARN, the event bus. */
  env: Record<string, string>;
  /** Every proxy answers this share of calls with a fault, drawn from `seed` (see `randomFaults`). */
  start(probability: number, seed: number, names?: ReadonlyMap<string, string>): void;
  /** Stops all faults; returns when. */
  stop(): number;
  injected(): InjectedFault[];
  close(): Promise<void>;
}

export async function startAwsFaults(
  endpoints: { dynamodb: string; sqs: string; queueUrl: string },
  secrets: { stripeSecretKey: string; webhookSecret: string },
): Promise<AwsFaults> {
  const [eventBridge, secretsManager] = await Promise.all([
    startEventBridgeStandIn(),
    startSecretsManagerStandIn(),
  ]);
  const [dynamodb, sqs, eventbridge, secretsmanager] = await Promise.all([
    startAwsFaultProxy('dynamodb', endpoints.dynamodb),
    startAwsFaultProxy('sqs', endpoints.sqs),
    startAwsFaultProxy('eventbridge', eventBridge.endpoint),
    startAwsFaultProxy('secretsmanager', secretsManager.endpoint),
  ]);
  const proxies = { dynamodb, sqs, eventbridge, secretsmanager };
  const all = Object.values(proxies);
  return {
    proxies,
    eventBridge,
    secretsManager,
    env: {
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      // The SQS client sends to the queue URL's host (useQueueUrlAsEndpoint), so the URL names the proxy.
      QUEUE_URL: new URL(new URL(endpoints.queueUrl).pathname, sqs.endpoint).toString(),
      AWS_ENDPOINT_URL_EVENTBRIDGE: eventbridge.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsmanager.endpoint,
      // Empty values make the functions read the ARNs, as a deployed stack does.
      STRIPE_SECRET_KEY: '',
      STRIPE_SECRET_KEY_ARN: secretsManager.put('stripe-secret-key', secrets.stripeSecretKey),
      STRIPE_WEBHOOK_SECRET: '',
      STRIPE_WEBHOOK_SECRET_ARN: secretsManager.put('stripe-webhook-secret', secrets.webhookSecret),
      EVENT_BUS_NAME: FAULTY_EVENT_BUS,
    },
    start(probability, seed, names) {
      for (const proxy of all) proxy.randomFaults(probability, seed, names);
    },
    stop() {
      return Math.max(...all.map((proxy) => proxy.stop()));
    },
    injected: () => all.flatMap((proxy) => proxy.injected).sort((a, b) => a.at - b.at),
    close: async () => {
      await Promise.all([...all.map((proxy) => proxy.close()), eventBridge.close(), secretsManager.close()]);
    },
  };
}
