import * as path from 'node:path';
import {
  BaseType,
  type CompletedConfig,
  createFormatter,
  createParser,
  createProgram,
  DEFAULT_CONFIG,
  type Definition,
  SchemaGenerator,
  StringType,
  type SubNodeParser,
  type SubTypeFormatter,
} from 'ts-json-schema-generator';
import ts from 'typescript';
import {
  readSdkSource,
  type SdkSource,
  STRIPE_PACKAGE_DIR,
} from '../../dev/stripe-stand-in/contract/sdk-source';

const CONTRACT_DIR = path.join(__dirname, '..', '..', 'dev', 'stripe-stand-in', 'contract');
export const STRIPE_SCHEMAS_FILE = path.join(CONTRACT_DIR, 'stripe-schemas.json');
const ENTRY_FILE = path.join(CONTRACT_DIR, 'sdk-types.ts');
const ROOT_TYPE = 'StandInContract';
const RESOURCES_DIR = path.join(STRIPE_PACKAGE_DIR, 'cjs', 'resources');
const GENERATOR_VERSION: string = require('ts-json-schema-generator/package.json').version;

/**
 * The resources the stand-in serves as whole objects (file → top-level declarations). Every other
 * resource is generated as `never`: where the SDK declares `string | Charge` (an expandable field) the
 * stand-in may only answer the id, and an object the stand-in does not model cannot slip through. Every
 * `*Params` declaration is kept. Events.d.ts is kept whole (each event type names its object).
 */
const SERVED_RESOURCES: Readonly<Record<string, readonly string[] | 'all'>> = {
  'Customers.d.ts': ['Customer', 'DeletedCustomer'],
  'PaymentMethods.d.ts': ['PaymentMethod'],
  'SetupIntents.d.ts': ['SetupIntent'],
  'SetupAttempts.d.ts': ['SetupAttempt'],
  'Checkout/Sessions.d.ts': ['Session'],
  'Subscriptions.d.ts': ['Subscription'],
  'SubscriptionSchedules.d.ts': ['SubscriptionSchedule'],
  'SubscriptionItems.d.ts': ['SubscriptionItem'],
  'Prices.d.ts': ['Price'],
  'Plans.d.ts': ['Plan'],
  'Invoices.d.ts': ['Invoice'],
  'InvoiceLineItems.d.ts': ['InvoiceLineItem'],
  'TestHelpers/TestClocks.d.ts': ['TestClock', 'DeletedTestClock'],
  'Mandates.d.ts': ['Mandate'],
  'Cards.d.ts': ['Card'],
  'Events.d.ts': 'all',
};

function isServed(resourceFile: string, name: string): boolean {
  if (name.endsWith('Params')) return true;
  const served = SERVED_RESOURCES[resourceFile];
  return served === 'all' || (served?.includes(name) ?? false);
}

/**
 * A resource the stand-in never returns whole. Not the generator's `never`: an object with a required
 * `never` property collapses to `never` there and its definition goes missing.
 */
class UnservedResourceType extends BaseType {
  constructor(private readonly name: string) {
    super();
  }

  getId(): string {
    return `unserved-${this.name}`;
  }

  override getName(): string {
    return this.name;
  }
}

class UnservedResourceFormatter implements SubTypeFormatter {
  supportsType(type: BaseType): boolean {
    return type instanceof UnservedResourceType;
  }

  getDefinition(type: UnservedResourceType): Definition {
    return { not: {}, description: `Stripe.${type.getName()}: not served by the stand-in (only its id)` };
  }

  getChildren(): BaseType[] {
    return [];
  }
}

/**
 * `Decimal` (stripe/cjs/Decimal.d.ts) is the SDK's class for decimal-string fields (`unit_amount_decimal`);
 * on the wire, what the stand-in sends, it is a string.
 */
class WireDecimalParser implements SubNodeParser {
  supportsNode(node: ts.Node): boolean {
    return (
      ts.isTypeAliasDeclaration(node) &&
      node.name?.text === 'Decimal' &&
      path.basename(node.getSourceFile().fileName) === 'Decimal.d.ts'
    );
  }

  createType(): BaseType {
    return new StringType();
  }
}

/** Answers `UnservedResourceType` for a top-level resource declaration the stand-in does not serve. */
class UnservedResourceParser implements SubNodeParser {
  supportsNode(node: ts.Node): boolean {
    if (
      !ts.isInterfaceDeclaration(node) &&
      !ts.isTypeAliasDeclaration(node) &&
      !ts.isClassDeclaration(node)
    ) {
      return false;
    }
    if (!ts.isSourceFile(node.parent) || node.name === undefined) return false;
    const relative = path.relative(RESOURCES_DIR, node.getSourceFile().fileName).split(path.sep).join('/');
    if (relative.startsWith('..')) return false;
    return !isServed(relative, node.name.text);
  }

  createType(node: ts.InterfaceDeclaration | ts.TypeAliasDeclaration | ts.ClassDeclaration): BaseType {
    return new UnservedResourceType(node.name?.text ?? 'anonymous');
  }
}

export interface StripeSchemas {
  /** What the schemas were generated from; the staleness test compares it with node_modules. */
  source: SdkSource;
  generator: string;
  /** Contract name (a property of `StandInContract`) → JSON Schema referring into `definitions`. */
  contract: Record<string, object>;
  definitions: Record<string, object>;
}

export function buildStripeSchemas(): StripeSchemas {
  const config: CompletedConfig = {
    ...DEFAULT_CONFIG,
    path: ENTRY_FILE,
    tsconfig: path.join(__dirname, '..', '..', 'tsconfig.json'),
    type: ROOT_TYPE,
    expose: 'export',
    topRef: true,
    jsDoc: 'none',
    // Closed objects are closed: a field Stripe does not have (or a parameter it does not take) fails.
    additionalProperties: false,
    skipTypeCheck: true,
  };
  const program = createProgram(config);
  const parser = createParser(program, config, (chain) => {
    chain.addNodeParser(new WireDecimalParser()).addNodeParser(new UnservedResourceParser());
  });
  const generator = new SchemaGenerator(
    program,
    parser,
    createFormatter(config, (chain) => {
      chain.addTypeFormatter(new UnservedResourceFormatter());
    }),
    config,
  );
  const schema = generator.createSchema(ROOT_TYPE) as {
    definitions: Record<string, { properties?: Record<string, object> }>;
  };
  const { [ROOT_TYPE]: root, ...definitions } = schema.definitions;
  return {
    source: readSdkSource(),
    generator: `ts-json-schema-generator ${GENERATOR_VERSION}`,
    contract: root?.properties ?? {},
    definitions,
  };
}
