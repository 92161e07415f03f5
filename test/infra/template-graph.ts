/**
 * The order CloudFormation creates a template's resources in: a resource waits for every resource it names
 * with Ref, Fn::GetAtt, Fn::Sub or DependsOn, and for nothing else
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-dependson.html).
 */
export type TemplateJson = { Resources: Record<string, TemplateResource> };
export type TemplateResource = {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
};

/** The logical ids one resource names directly. */
export function directDependencies(template: TemplateJson, logicalId: string): Set<string> {
  const resource = template.Resources[logicalId];
  if (!resource) throw new Error(`no resource ${logicalId}`);
  const found = new Set<string>([resource.DependsOn ?? []].flat());
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string') found.add(inner);
      else if (key === 'Fn::GetAtt') {
        const target = Array.isArray(inner) ? inner[0] : String(inner).split('.')[0];
        if (typeof target === 'string') found.add(target);
      } else if (key === 'Fn::Sub') {
        const text = Array.isArray(inner) ? inner[0] : inner;
        for (const match of String(text).matchAll(/\$\{([^!}][^}.]*)(?:\.[^}]*)?\}/g))
          found.add(match[1] as string);
        if (Array.isArray(inner)) visit(inner[1]);
      } else visit(inner);
    }
  };
  visit(resource.Properties);
  // Pseudo parameters and template parameters are not resources.
  return new Set([...found].filter((id) => id in template.Resources));
}

/** Every resource created before `logicalId` starts: the transitive closure of its dependencies. */
export function createdBefore(template: TemplateJson, logicalId: string): Set<string> {
  const seen = new Set<string>();
  const pending = [logicalId];
  while (pending.length > 0) {
    const current = pending.pop() as string;
    for (const dependency of directDependencies(template, current)) {
      if (seen.has(dependency)) continue;
      seen.add(dependency);
      pending.push(dependency);
    }
  }
  return seen;
}

/**
 * A property AWS validates, when it creates a resource, against another resource it names by a plain string
 * rather than a reference: CloudFormation cannot see that dependency, so the template must state it.
 */
export interface StringReference {
  /** What AWS checks and where it says so. */
  rule: string;
  /** Each (resource, resource it names) pair of this kind in the template. */
  pairs(template: TemplateJson): { from: string; to: string | undefined; name: string }[];
}

const resourcesOfType = (template: TemplateJson, type: string) =>
  Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);

/** The pairs the suite knows; the list grows with the stack. */
export const STRING_REFERENCES: StringReference[] = [
  {
    // API Gateway refuses a stage whose RouteSettings names a route that does not exist yet: "Unable to find
    // Route by key … within the provided RouteSettings"
    // (https://github.com/aws/serverless-application-model/issues/2479,
    // https://github.com/terraform-aws-modules/terraform-aws-apigateway-v2/issues/80).
    rule: 'AWS::ApiGatewayV2::Stage RouteSettings key → AWS::ApiGatewayV2::Route RouteKey',
    pairs(template) {
      const routes = resourcesOfType(template, 'AWS::ApiGatewayV2::Route');
      return resourcesOfType(template, 'AWS::ApiGatewayV2::Stage').flatMap(([stageId, stage]) =>
        Object.keys((stage.Properties?.RouteSettings as object | undefined) ?? {}).map((routeKey) => {
          const route = routes.find(
            ([, candidate]) =>
              candidate.Properties?.RouteKey === routeKey &&
              JSON.stringify(candidate.Properties?.ApiId) === JSON.stringify(stage.Properties?.ApiId),
          );
          return { from: stageId, to: route?.[0], name: routeKey };
        }),
      );
    },
  },
];
