import { DescribeEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from '../../dev/local-aws/credentials';
import { physicalNames } from '../../lib/physical-names';
import { MOTO_AVAILABLE, type MotoServer, startMotoServer } from '../support/moto-server';
import { PROD_CONTEXT, synthServiceTemplate } from './stack-template';

/*
 * A failed first create of prod, on moto's CloudFormation (an emulator we did not write): what it can model is
 * a template with the bus alone. docs/deploy.md's retry sequence looks leftovers up by the names the stack
 * derives; this checks that the bus CloudFormation creates from prod's template carries exactly that name,
 * with the deletion policy that lets a failed create clean up after itself
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html).
 * moto does not model a create's rollback, so the rollback itself is not exercised here.
 */

async function cloudFormation(endpoint: string, parameters: Record<string, string>): Promise<string> {
  // CloudFormation's query protocol (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/Welcome.html).
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `AWS4-HMAC-SHA256 Credential=${LOCAL_AWS_CREDENTIALS.accessKeyId}/20260101/${LOCAL_AWS_REGION}/cloudformation/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: new URLSearchParams({ Version: '2010-05-15', ...parameters }).toString(),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${parameters.Action} ${response.status}: ${text.slice(0, 300)}`);
  return text;
}

(MOTO_AVAILABLE ? describe : describe.skip)(
  'finding 2: retrying a failed first create of prod (moto)',
  () => {
    let moto: MotoServer;
    beforeAll(async () => {
      moto = await startMotoServer();
    }, 30_000);
    afterAll(async () => {
      await moto?.close();
    });

    it('prod’s bus loads in CloudFormation under the name the retry sequence looks leftovers up by', async () => {
      const { template, stack } = synthServiceTemplate(PROD_CONTEXT);
      const buses = template.findResources('AWS::Events::EventBus');
      const [[busId, bus]] = Object.entries(buses) as [[string, { DeletionPolicy: string }]];
      expect(bus.DeletionPolicy).toBe('RetainExceptOnCreate');
      await cloudFormation(moto.endpoint, {
        Action: 'CreateStack',
        StackName: stack.stackName,
        TemplateBody: JSON.stringify({ Resources: { [busId]: bus } }),
      });
      const described = await cloudFormation(moto.endpoint, {
        Action: 'DescribeStacks',
        StackName: stack.stackName,
      });
      expect(described).toContain('<StackStatus>CREATE_COMPLETE</StackStatus>');

      const events = new EventBridgeClient({
        endpoint: moto.endpoint,
        region: LOCAL_AWS_REGION,
        credentials: LOCAL_AWS_CREDENTIALS,
      });
      const found = await events.send(
        new DescribeEventBusCommand({ Name: physicalNames(stack.stackName).bus }),
      );
      expect(found.Name).toBe('StripeSetupModeService-prod-outcomes');
      events.destroy();
    }, 180_000); // a synth and a moto stack create: slow on a loaded machine, never a speed check
  },
);
