import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from '../../dev/local-aws/credentials';
import { redriveDeadLetters } from '../../scripts/lib/redrive-dead-letters';
import { MOTO_AVAILABLE, type MotoServer, startMotoServer } from '../support/moto-server';

/*
 * Oracle: moto, an SQS emulator we did not write, which implements the queue API but not message-move tasks
 * (it answers StartMessageMoveTask and ListMessageMoveTasks with HTTP 500 and an HTML page). `npm run redrive`
 * must see that the endpoint cannot run the task and move the messages itself.
 */
(MOTO_AVAILABLE ? describe : describe.skip)(
  'npm run redrive against an SQS endpoint without message-move tasks (moto)',
  () => {
    let moto: MotoServer;
    let sqs: SQSClient;
    beforeAll(async () => {
      moto = await startMotoServer();
      sqs = new SQSClient({
        endpoint: moto.endpoint,
        region: LOCAL_AWS_REGION,
        credentials: LOCAL_AWS_CREDENTIALS,
        maxAttempts: 1,
      });
    }, 30_000);
    afterAll(async () => {
      sqs?.destroy();
      await moto?.close();
    });

    it('falls back to receive-and-send and moves every message, keeping FIFO groups', async () => {
      const fifo = { FifoQueue: 'true', ContentBasedDeduplication: 'false' };
      const { QueueUrl: deadLetterQueueUrl = '' } = await sqs.send(
        new CreateQueueCommand({ QueueName: 'setup-events-dlq.fifo', Attributes: fifo }),
      );
      const { Attributes: dlq = {} } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: deadLetterQueueUrl, AttributeNames: ['QueueArn'] }),
      );
      const { QueueUrl: queueUrl = '' } = await sqs.send(
        new CreateQueueCommand({
          QueueName: 'setup-events.fifo',
          Attributes: {
            ...fifo,
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.QueueArn, maxReceiveCount: 5 }),
          },
        }),
      );
      const bodies = ['{"n":1}', '{"n":2}', '{"n":3}'];
      for (const [index, body] of bodies.entries()) {
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: deadLetterQueueUrl,
            MessageBody: body,
            MessageGroupId: `cus_${index % 2}`,
            MessageDeduplicationId: `dead-${index}`,
          }),
        );
      }

      const result = await redriveDeadLetters(sqs, { queueUrl, deadLetterQueueUrl, dryRun: false });
      expect(result).toEqual({ method: 'receive-and-send', waiting: 3, moved: 3 });

      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          MessageSystemAttributeNames: ['MessageGroupId'],
        }),
      );
      expect(Messages.map((message) => message.Body).sort()).toEqual(bodies);
      expect(new Set(Messages.map((message) => message.Attributes?.MessageGroupId))).toEqual(
        new Set(['cus_0', 'cus_1']),
      );
      const left = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: deadLetterQueueUrl, MaxNumberOfMessages: 10 }),
      );
      expect(left.Messages ?? []).toEqual([]);
    });
  },
);
