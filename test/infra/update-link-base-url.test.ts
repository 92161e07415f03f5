import { Match } from 'aws-cdk-lib/assertions';
import { synthServiceTemplate } from './stack-template';

/*
 * Update links on the API's custom domain. Oracles: API Gateway custom domain names and API mappings
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-custom-domain-names.html,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-mappings.html: a domain, optionally
 * with a path, in front of the stage), and Lambda environment variables as CloudFormation declares them
 * (AWS::Lambda::Function Environment.Variables).
 */
const functionWithEnv = (variables: Record<string, unknown>) => ({
  Environment: { Variables: Match.objectLike(variables) },
});

describe('updateLinkBaseUrl', () => {
  it('passes the custom domain to both the worker and the session API', () => {
    const { template } = synthServiceTemplate({ updateLinkBaseUrl: 'https://billing.example.com/pay/' });
    const withBase = template.findResources(
      'AWS::Lambda::Function',
      Match.objectLike({
        Properties: functionWithEnv({ UPDATE_LINK_BASE_URL: 'https://billing.example.com/pay' }),
      }),
    );
    // The worker mints links for recovery events; the session API for POST /update-links.
    expect(Object.keys(withBase)).toHaveLength(2);
  });

  it.each([
    ['http://billing.example.com', 'must be an https URL'],
    ['billing.example.com', 'must be an https URL'],
    ['https://user:pass@billing.example.com', 'must not carry credentials'],
    ['https://billing.example.com/?next=1', 'must have no query or fragment'],
    ['https://billing.example.com/#top', 'must have no query or fragment'],
  ])('refuses %s at synth, naming the setting', (value, why) => {
    expect(() => synthServiceTemplate({ updateLinkBaseUrl: value })).toThrow(
      `Context updateLinkBaseUrl ${why}`,
    );
  });
});
