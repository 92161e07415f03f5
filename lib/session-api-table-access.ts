import { PolicyStatement } from 'aws-cdk-lib/aws-iam';

/**
 * The partition-key prefixes (the part before the first `#`) of the items the session API writes: its setup
 * and change records, its budgets, the change markers and shared session view, and the update links. The
 * worker's owner records (`customer_default#`, `subscription_default#`) and Stripe-event claims are not
 * among them: the API may read when a customer's default last changed, never write who owns it.
 */
export const SESSION_API_WRITTEN_KEY_PREFIXES = [
  'setup_intent',
  'default_change',
  'changes',
  'session_view',
  'stripe-calls',
  'rate',
  'status-rate',
  'update_link',
  'update_links',
] as const;

/** Read, never written, by the session API: when the worker last changed a customer's default. */
export const SESSION_API_READ_ONLY_KEY_PREFIXES = ['customer_default'] as const;

/** `dynamodb:LeadingKeys` patterns (StringLike: `*` matches any run of characters) for these prefixes. */
export const leadingKeyPatterns = (prefixes: readonly string[]) => prefixes.map((prefix) => `${prefix}#*`);

/**
 * The session API's two table statements, each limited to the items it touches by `dynamodb:LeadingKeys`
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html). The table
 * has a partition key only, so every GetItem/UpdateItem names exactly one leading key; `ForAllValues`
 * requires that key to match one of the patterns.
 */
export function sessionApiTableStatements(tableArn: string): PolicyStatement[] {
  const limitedTo = (prefixes: readonly string[]) => ({
    'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': leadingKeyPatterns(prefixes) },
  });
  return [
    new PolicyStatement({
      actions: ['dynamodb:UpdateItem'],
      resources: [tableArn],
      conditions: limitedTo(SESSION_API_WRITTEN_KEY_PREFIXES),
    }),
    new PolicyStatement({
      actions: ['dynamodb:GetItem'],
      resources: [tableArn],
      conditions: limitedTo([...SESSION_API_WRITTEN_KEY_PREFIXES, ...SESSION_API_READ_ONLY_KEY_PREFIXES]),
    }),
  ];
}
