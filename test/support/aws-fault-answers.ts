/**
 * The errors AWS really answers, in each service's wire format, for the fault-injecting proxy. Oracles:
 * DynamoDB's "Error handling" page (JSON 1.0, `__type` with the service's shape namespace, 400 for
 * throttling, 500 InternalServerError); SQS's JSON protocol as the pinned @aws-sdk/client-sqs speaks it
 * (AWS JSON 1.0 with `awsQueryCompatible`, so the query error code travels in `x-amzn-query-error` and the
 * SDK's error model gives RequestThrottled a 403); EventBridge PutEvents (JSON 1.1; a refused entry is a
 * 200 with `FailedEntryCount` and the entry's `ErrorCode`); Secrets Manager (JSON 1.1,
 * InternalServiceError 500).
 */

export type AwsService = 'dynamodb' | 'sqs' | 'eventbridge' | 'secretsmanager';

export type AwsFault =
  | 'throughput_exceeded'
  | 'throttling'
  | 'internal'
  | 'unavailable'
  | 'request_throttled'
  | 'failed_entry'
  /** The call is applied, then answered with a 500: the writer never hears that it happened. */
  | 'lost_answer'
  /** SQS refuses the message itself (SendMessage's InvalidParameterValue): never injected at random. */
  | 'invalid_parameter';

const WRITES: Record<AwsService, string[]> = {
  dynamodb: ['UpdateItem', 'PutItem', 'DeleteItem'],
  sqs: ['SendMessage'],
  eventbridge: ['PutEvents'],
  secretsmanager: [],
};

export function isWrite(service: AwsService, operation: string): boolean {
  return WRITES[service].includes(operation);
}

/** What a call of this operation may meet, each equally likely. */
export function faultsFor(service: AwsService, operation: string): AwsFault[] {
  const base: Record<AwsService, AwsFault[]> = {
    dynamodb: ['throughput_exceeded', 'throttling', 'internal'],
    sqs: ['internal', 'unavailable', 'request_throttled'],
    eventbridge: operation === 'PutEvents' ? ['internal', 'failed_entry'] : ['internal'],
    secretsmanager: ['internal'],
  };
  return [...base[service], ...(isWrite(service, operation) ? (['lost_answer'] as const) : [])];
}

export interface FaultAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

let requestCounter = 0;

export function faultAnswer(service: AwsService, fault: AwsFault): FaultAnswer {
  const requestId = `fault-${++requestCounter}`;
  const json = (
    version: '1.0' | '1.1',
    status: number,
    body: unknown,
    extra: Record<string, string> = {},
  ) => ({
    status,
    headers: {
      'content-type': `application/x-amz-json-${version}`,
      'x-amzn-requestid': requestId,
      ...extra,
    },
    body: JSON.stringify(body),
  });
  switch (service) {
    case 'dynamodb': {
      const dynamo = (status: number, type: string, message: string) =>
        json('1.0', status, { __type: type, message });
      if (fault === 'throughput_exceeded')
        return dynamo(
          400,
          'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
          'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
        );
      if (fault === 'throttling')
        return dynamo(
          400,
          'com.amazon.coral.availability#ThrottlingException',
          'Rate of requests exceeds the allowed throughput.',
        );
      return dynamo(500, 'com.amazonaws.dynamodb.v20120810#InternalServerError', 'Internal server error');
    }
    case 'sqs': {
      const sqs = (status: number, code: string, side: 'Sender' | 'Receiver', message: string) =>
        json(
          '1.0',
          status,
          { __type: `com.amazonaws.sqs#${code}`, message },
          {
            'x-amzn-query-error': `${code};${side}`,
          },
        );
      if (fault === 'invalid_parameter')
        return sqs(400, 'InvalidParameterValue', 'Sender', 'Value for parameter MessageGroupId is invalid.');
      if (fault === 'request_throttled')
        return sqs(403, 'RequestThrottled', 'Sender', 'Request is throttled.');
      if (fault === 'unavailable')
        return sqs(503, 'ServiceUnavailable', 'Receiver', 'Service is unavailable. Try again later.');
      return sqs(500, 'InternalError', 'Receiver', 'We encountered an internal error. Please try again.');
    }
    case 'eventbridge':
      if (fault === 'failed_entry')
        return json('1.1', 200, {
          FailedEntryCount: 1,
          Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'Internal service error.' }],
        });
      return json('1.1', 500, { __type: 'InternalException', message: 'Internal service error.' });
    case 'secretsmanager':
      return json('1.1', 500, {
        __type: 'InternalServiceError',
        Message: 'An error occurred on the server side.',
      });
  }
}
