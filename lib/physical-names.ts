/**
 * The physical names of the stack's stateful resources and of the access-log group, derived from the stack
 * name as literal strings. Explicit names, rather than the ones CloudFormation generates, because:
 * - CloudFormation does not shorten a generated FIFO queue name correctly, so a longer stack name breaks the
 *   create (https://github.com/aws/aws-cdk/issues/11041);
 * - CloudFormation refuses to replace a resource with a custom name
 *   (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-name.html), so a change
 *   that would silently start an empty table, queue or bus fails the update instead;
 * - a log group under `/aws/vendedlogs/` keeps API Gateway's log delivery out of the account's 5120-character
 *   CloudWatch Logs resource policy
 *   (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-and-resource-policy.html).
 */
export interface PhysicalNames {
  table: string;
  queue: string;
  deadLetterQueue: string;
  bus: string;
  accessLogGroup: string;
  dashboard: string;
}

export function physicalNames(stackName: string): PhysicalNames {
  return {
    table: `${stackName}-setup-records`,
    queue: `${stackName}-setup.fifo`,
    deadLetterQueue: `${stackName}-dlq.fifo`,
    bus: `${stackName}-outcomes`,
    accessLogGroup: `/aws/vendedlogs/apigateway/${stackName}-access`,
    dashboard: `${stackName}-oncall`,
  };
}

/**
 * AWS's limit on each name (queue: 80 characters with `.fifo`,
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html; table 255,
 * bus 256, log group 512, dashboard 255) and CloudFormation's on the stack name (128, a letter then letters,
 * digits and hyphens: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html).
 */
const NAME_LIMITS: Record<keyof PhysicalNames, number> = {
  table: 255,
  queue: 80,
  deadLetterQueue: 80,
  bus: 256,
  accessLogGroup: 512,
  dashboard: 255,
};
export const STACK_NAME_LIMIT = 128;
export const STACK_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9-]*$/;

/** The longest stack name whose every derived name is within AWS's limits. */
export function longestStackName(): number {
  const overhead = (Object.keys(NAME_LIMITS) as (keyof PhysicalNames)[]).map(
    (key) => NAME_LIMITS[key] - physicalNames('')[key].length,
  );
  return Math.min(STACK_NAME_LIMIT, ...overhead);
}
