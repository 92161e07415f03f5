import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface SetupQueueProps {
  /** Explicit names ending in `.fifo` (see lib/physical-names.ts for why not generated ones). */
  queueName: string;
  deadLetterQueueName: string;
  maxReceiveCount: number;
  /** The consumer's timeout: AWS advises a visibility timeout of at least 6 × it for event source mappings. */
  consumerTimeout: Duration;
  /** Longer than the worker's retry horizon (lib/service-settings.ts checks it). */
  retention: Duration;
  /** RETAIN on prod: the dead-letter queue holds setups an operator must still redrive. */
  removalPolicy: RemovalPolicy;
}

/**
 * The work queue between webhook and worker, and its dead-letter queue. FIFO, with the customer as the
 * message group, so one customer's setups are handled one at a time and in order (the webhook sets the
 * group and a deduplication id per session).
 */
export class SetupQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: SetupQueueProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      queueName: props.deadLetterQueueName,
      fifo: true,
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy: props.removalPolicy,
    });
    this.queue = new Queue(this, 'Queue', {
      queueName: props.queueName,
      fifo: true,
      // The worker dead-letters a record that waited past its horizon (3 days by default, as long as Stripe
      // retries a webhook); SQS would delete one past its retention without dead-lettering it.
      retentionPeriod: props.retention,
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * 6),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
      removalPolicy: props.removalPolicy,
    });
  }
}
