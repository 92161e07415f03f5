import type { AddressInfo } from 'node:net';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createSqsServer } from 'local-aws-sqs';
import { guardHost } from '../host-check';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from './credentials';

export interface LocalQueueOptions {
  queueName?: string;
  /** Seconds a received message stays hidden; Lambda's guidance is 6 × the consumer's timeout. */
  visibilityTimeoutSeconds?: number;
  maxReceiveCount?: number;
  fifo?: boolean;
}

export interface LocalSqs {
  endpoint: string;
  queueUrl: string;
  deadLetterQueueUrl: string;
  client: SQSClient;
  close(): Promise<void>;
}

/**
 * An in-process SQS-compatible server (local-aws-sqs) with the work queue and its dead-letter queue. Where it
 * differs from SQS: it returns a FIFO group's next message while an earlier one is in flight, and it counts
 * a ChangeMessageVisibility as a receive (ApproximateReceiveCount, and so the redrive policy), so records the
 * worker hands back reach a given count in about half the receives they would on SQS.
 */
export async function startLocalSqs(options: LocalQueueOptions = {}, port = 0): Promise<LocalSqs> {
  const server = await createSqsServer({ port, hostname: '127.0.0.1' });
  guardHost(server, '127.0.0.1');
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new SQSClient({ endpoint, region: LOCAL_AWS_REGION, credentials: LOCAL_AWS_CREDENTIALS });
  const suffix = options.fifo ? '.fifo' : '';
  const name = options.queueName ?? 'setup-events';
  const fifoAttributes: Record<string, string> = options.fifo ? { FifoQueue: 'true' } : {};
  const dlq = await client.send(
    new CreateQueueCommand({ QueueName: `${name}-dlq${suffix}`, Attributes: fifoAttributes }),
  );
  const dlqArn = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const queue = await client.send(
    new CreateQueueCommand({
      QueueName: `${name}${suffix}`,
      Attributes: {
        ...fifoAttributes,
        VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? 30),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlqArn.Attributes?.QueueArn,
          maxReceiveCount: options.maxReceiveCount ?? 5,
        }),
      },
    }),
  );
  if (!queue.QueueUrl || !dlq.QueueUrl) throw new Error('local SQS did not return queue URLs');
  return {
    endpoint,
    queueUrl: queue.QueueUrl,
    deadLetterQueueUrl: dlq.QueueUrl,
    client,
    close: async () => {
      client.destroy();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
