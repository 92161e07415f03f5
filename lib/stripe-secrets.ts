import { RemovalPolicy } from 'aws-cdk-lib';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface StripeSecretsProps {
  /** Names of existing secrets to use instead of creating placeholders. */
  secretKeySecretName?: string;
  webhookSecretName?: string;
  retain: boolean;
}

/**
 * The two Stripe secrets, kept apart so each function can read only the one it needs: the API key (session
 * API, worker) and the webhook signing secret(s) (webhook). Created with placeholders for the operator to
 * overwrite (see README, Deploy), or imported by name.
 */
export class StripeSecrets extends Construct {
  readonly secretKey: ISecret;
  readonly webhookSecret: ISecret;

  constructor(scope: Construct, id: string, props: StripeSecretsProps) {
    super(scope, id);
    this.secretKey = props.secretKeySecretName
      ? Secret.fromSecretNameV2(this, 'SecretKey', props.secretKeySecretName)
      : this.placeholder('SecretKey', 'Stripe secret or restricted API key (sk_… or rk_…)', props.retain);
    this.webhookSecret = props.webhookSecretName
      ? Secret.fromSecretNameV2(this, 'WebhookSecret', props.webhookSecretName)
      : this.placeholder(
          'WebhookSecret',
          'Stripe webhook signing secret(s), comma-separated (whsec_…)',
          props.retain,
        );
  }

  private placeholder(id: string, description: string, retain: boolean): Secret {
    return new Secret(this, id, {
      description,
      // A random placeholder, never a plaintext value in the template; the functions refuse it, naming the
      // secret, until the operator stores the real value.
      generateSecretString: { passwordLength: 32, excludePunctuation: true },
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
  }
}
