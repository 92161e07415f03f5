import { PROD_CONTEXT, synthServiceTemplate } from './stack-template';
import { createdBefore, directDependencies, STRING_REFERENCES, type TemplateJson } from './template-graph';

/*
 * Deploy order: CloudFormation creates a resource as soon as everything it references exists
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-dependson.html). Where AWS
 * checks, at create time, a property that names another resource by a plain string, the template must make
 * that resource come first, or the first create fails. Neither cfn-lint nor cdk-nag sees this.
 */

const configurations = {
  dev: () => synthServiceTemplate().template.toJSON() as TemplateJson,
  prod: () => synthServiceTemplate(PROD_CONTEXT).template.toJSON() as TemplateJson,
};

describe.each(Object.entries(configurations))('the %s template', (_name, synth) => {
  let template: TemplateJson;
  beforeAll(() => {
    template = synth();
  });

  it.each(STRING_REFERENCES.map((reference) => [reference.rule, reference]))(
    'creates what %s names before the resource that names it',
    (_rule, reference) => {
      const pairs = reference.pairs(template);
      expect(pairs.length).toBeGreaterThan(0);
      for (const { from, to, name } of pairs) {
        // A name that matches nothing in the template fails the create whatever the order.
        expect({ from, name, to }).toEqual({ from, name, to: expect.any(String) });
        expect({ from, name, createdBefore: createdBefore(template, from).has(to as string) }).toEqual({
          from,
          name,
          createdBefore: true,
        });
      }
    },
  );
});

describe('the dependency graph reader', () => {
  // What the check relies on, on a template whose order is known.
  const template: TemplateJson = {
    Resources: {
      A: { Type: 'X', Properties: {} },
      B: { Type: 'X', Properties: { Name: { 'Fn::GetAtt': ['A', 'Arn'] } } },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax, not a template literal
      C: { Type: 'X', Properties: { Text: { 'Fn::Sub': '${B.Arn}/${AWS::Region}' } } },
      D: { Type: 'X', DependsOn: ['C'], Properties: { Id: { Ref: 'AWS::StackName' } } },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax, not a template literal
      E: { Type: 'X', Properties: { Text: { 'Fn::Sub': ['${x}', { x: { Ref: 'A' } }] } } },
      F: { Type: 'X', Properties: {} },
    },
  };

  it('follows Ref, GetAtt, Sub (both forms) and DependsOn, and ignores pseudo parameters', () => {
    expect([...directDependencies(template, 'C')]).toEqual(['B']);
    expect([...directDependencies(template, 'E')]).toEqual(['A']);
    expect([...createdBefore(template, 'D')].sort()).toEqual(['A', 'B', 'C']);
    expect(createdBefore(template, 'F').size).toBe(0);
  });
});
