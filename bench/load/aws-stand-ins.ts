/*
 * Child process: the DynamoDB (dynalite) and SQS (local-aws-sqs) stand-ins, so their work never stalls the
 * benchmark's own process, where the Stripe stand-in timestamps each request for the rate-limit figures.
 * Reports its endpoints to the parent over IPC and stops when the parent says so (or goes away).
 */
import { startLocalDynamoDb } from '../../dev/local-aws/dynamodb';
import { startLocalSqs } from '../../dev/local-aws/sqs';

export interface AwsStandInsReady {
  dynamodbEndpoint: string;
  tableName: string;
  sqsEndpoint: string;
  queueUrl: string;
}

async function main() {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const [dynamodb, sqs] = await Promise.all([
    startLocalDynamoDb(),
    startLocalSqs({ fifo: true, queueName: 'bench-scratch' }),
  ]);
  const ready: AwsStandInsReady = {
    dynamodbEndpoint: dynamodb.endpoint,
    tableName: dynamodb.tableName,
    sqsEndpoint: sqs.endpoint,
    queueUrl: sqs.queueUrl,
  };
  const stop = async () => {
    await Promise.all([dynamodb.close(), sqs.close()]);
    process.exit(0);
  };
  process.on('message', (message) => {
    if (message === 'stop') void stop();
  });
  process.on('disconnect', () => void stop());
  process.send?.(ready);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
