import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SecretsManagerStandIn {
  endpoint: string;
  /** Stores a secret and returns its ARN. */
  put(name: string, value: string): string;
  reads: string[];
  close(): Promise<void>;
}

/**
 * Just enough of Secrets Manager's JSON protocol (GetSecretValue) for the AWS SDK to read secrets by ARN,
 * so the deployed secret path runs against real HTTP in tests.
 */
export async function startSecretsManagerStandIn(): Promise<SecretsManagerStandIn> {
  const secrets = new Map<string, string>();
  const reads: string[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const target = request.headers['x-amz-target'];
    const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as { SecretId?: string };
    const value = body.SecretId ? secrets.get(body.SecretId) : undefined;
    response.setHeader('content-type', 'application/x-amz-json-1.1');
    if (target !== 'secretsmanager.GetSecretValue' || value === undefined || !body.SecretId) {
      response.writeHead(400);
      response.end(JSON.stringify({ __type: 'ResourceNotFoundException', message: 'Secret not found' }));
      return;
    }
    reads.push(body.SecretId);
    response.end(
      JSON.stringify({
        ARN: body.SecretId,
        Name: body.SecretId.split(':').pop(),
        SecretString: value,
        VersionId: 'v1',
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    put(name, value) {
      const arn = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`;
      secrets.set(arn, value);
      return arn;
    },
    reads,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
