import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';

/*
 * Endpoints, region and credentials come from the SDK's standard sources (AWS_ENDPOINT_URL_SQS,
 * AWS_ENDPOINT_URL_DYNAMODB, AWS_REGION, ...), which is how tests and the local stack reach stand-ins.
 * Clients are built once per cold start and reused across invocations to keep connections warm.
 */

export function createDynamoDbClient(): DynamoDBClient {
  return new DynamoDBClient({ maxAttempts: 3 });
}

export function createSqsClient(): SQSClient {
  return new SQSClient({ maxAttempts: 3 });
}

export function createEventBridgeClient(): EventBridgeClient {
  return new EventBridgeClient({ maxAttempts: 3 });
}
