import { ArnFormat, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface StripeSecretsProps {
  /** Names of existing secrets to use instead of creating placeholders. */
  secretKeySecretName?: string;
  webhookSecretName?: string;
  /** The customer-managed KMS key the imported secrets are encrypted with, if not AWS's own. */
  kmsKeyArn?: string;
  /** For the placeholders this stack creates. */
  removalPolicy: RemovalPolicy;
}

/**
 * The two Stripe secrets, kept apart so each function can read only the one it needs: the API key (session
 * API, worker) and the webhook signing secret(s) (webhook). Created with placeholders for the operator to
 * overwrite (see docs/deploy.md), or imported by name.
 */
export class StripeSecrets extends Construct {
  readonly secretKey: ISecret;
  readonly webhookSecret: ISecret;
  /**
   * What the functions pass to GetSecretValue: a created secret's ARN, an imported one's name. Never the
   * partial ARN of an imported name: Secrets Manager reads a name ending in a hyphen and six characters
   * (`stripe-apikey`) inside an ARN as the random suffix, and finds nothing
   * (SecretId in https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html).
   */
  readonly secretKeyId: string;
  readonly webhookSecretId: string;
  /** The placeholders this stack created (none for imported secrets). */
  readonly created: Secret[] = [];
  private readonly kmsKeyArn?: string;

  constructor(scope: Construct, id: string, props: StripeSecretsProps) {
    super(scope, id);
    this.kmsKeyArn = props.kmsKeyArn;
    // A secret's ARN ends in a random 6-character suffix that a name alone does not know: imported by name,
    // the partial ARN makes the grants below name `…:secret:<name>-??????`, which matches it
    // (https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples.html#auth-and-access_examples_wildcard).
    const imported = (secretId: string, name: string) =>
      Secret.fromSecretAttributes(this, secretId, {
        secretPartialArn: Stack.of(this).formatArn({
          service: 'secretsmanager',
          resource: 'secret',
          resourceName: name,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      });
    this.secretKeyId = props.secretKeySecretName ?? '';
    this.webhookSecretId = props.webhookSecretName ?? '';
    this.secretKey = props.secretKeySecretName
      ? imported('SecretKey', props.secretKeySecretName)
      : this.placeholder(
          'SecretKey',
          'Stripe secret or restricted API key (sk_… or rk_…)',
          props.removalPolicy,
        );
    this.webhookSecret = props.webhookSecretName
      ? imported('WebhookSecret', props.webhookSecretName)
      : this.placeholder(
          'WebhookSecret',
          'Stripe webhook signing secret(s), comma-separated (whsec_…)',
          props.removalPolicy,
        );
    this.secretKeyId ||= this.secretKey.secretArn;
    this.webhookSecretId ||= this.webhookSecret.secretArn;
  }

  /**
   * CDK's grant: GetSecretValue and DescribeSecret on exactly that secret (an imported one by
   * `<name>-??????`). A customer-managed key also needs kms:Decrypt, allowed only through Secrets Manager
   * (https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html#security-encryption-authz).
   */
  grantRead(secret: ISecret, grantee: IGrantable): void {
    secret.grantRead(grantee);
    if (!this.kmsKeyArn) return;
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [this.kmsKeyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` },
        },
      }),
    );
  }

  private placeholder(id: string, description: string, removalPolicy: RemovalPolicy): Secret {
    const secret = new Secret(this, id, {
      description,
      // A random placeholder, never a plaintext value in the template; the functions refuse it, naming the
      // secret, until the operator stores the real value.
      generateSecretString: { passwordLength: 32, excludePunctuation: true },
      removalPolicy,
    });
    this.created.push(secret);
    return secret;
  }
}
