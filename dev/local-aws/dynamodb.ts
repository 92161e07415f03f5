import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { TABLE_PARTITION_KEY } from '../../functions/shared/adapters/dynamodb-setup-records';
import { guardHost } from '../host-check';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from './credentials';
import { drainOnClose } from './drain-on-close';

export interface LocalDynamoDb {
  endpoint: string;
  tableName: string;
  client: DynamoDBClient;
  close(): Promise<void>;
}

/** An in-memory DynamoDB-compatible server (dynalite) on a free port, with the service's table created. */
export async function startLocalDynamoDb(tableName = 'setup-records', port = 0): Promise<LocalDynamoDb> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const drain = drainOnClose(server);
  guardHost(server, '127.0.0.1');
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_AWS_REGION,
    credentials: LOCAL_AWS_CREDENTIALS,
  });
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: TABLE_PARTITION_KEY, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: TABLE_PARTITION_KEY, KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return {
    endpoint,
    tableName,
    client,
    close: async () => {
      client.destroy();
      await drain.whenDrained();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
