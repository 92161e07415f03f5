import type { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import {
  TABLE_PARTITION_KEY,
  TABLE_TTL_ATTRIBUTE,
} from '../functions/shared/adapters/dynamodb-setup-records';

export interface SetupRecordsTableProps {
  /** Explicit, so a change that would replace the table fails instead of starting an empty one. */
  tableName: string;
  /** Production turns on deletion protection. */
  retain: boolean;
  /** Production keeps the table (and its idempotency history) when the stack is deleted. */
  removalPolicy: RemovalPolicy;
}

/** One item per Checkout Session: the claim and outcome that keep every setup to exactly one effect. */
export class SetupRecordsTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: SetupRecordsTableProps) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      tableName: props.tableName,
      partitionKey: { name: TABLE_PARTITION_KEY, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      // Records expire after the configured retention, well beyond Stripe's 3-day retry window.
      timeToLiveAttribute: TABLE_TTL_ATTRIBUTE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.retain,
      removalPolicy: props.removalPolicy,
    });
  }
}
