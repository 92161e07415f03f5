import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export function createDynamoDbClient(): DynamoDBClient {
  return new DynamoDBClient({ maxAttempts: 3 });
}
