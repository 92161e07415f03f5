import * as path from 'node:path';
import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

const PROJECT_ROOT = path.join(__dirname, '..');

/** Deployed bundles take credentials from Lambda's environment only (see the module for why). */
const BUNDLE_ALIASES = {
  '@aws-sdk/credential-provider-node': path.join(
    PROJECT_ROOT,
    'functions/shared/aws-clients/lambda-credentials.ts',
  ),
};

/**
 * esbuild settings every function is built with; exported so the bundle check and the benchmark build
 * exactly what the stack deploys. The AWS SDK is bundled too, not left to the runtime's copy: the version is the
 * one the tests ran against, and one minified, tree-shaken file initialises faster than the runtime's many
 * unminified SDK modules (see the benchmark's cold-init figures).
 */
export const FUNCTION_BUNDLING = {
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  target: 'node24',
  format: OutputFormat.CJS,
  // Prefer packages' ES module builds: esbuild tree-shakes them far better than CommonJS.
  mainFields: ['module', 'main'],
  externalModules: [],
  esbuildArgs: Object.fromEntries(
    Object.entries(BUNDLE_ALIASES).map(([from, to]) => [`--alias:${from}`, to]),
  ),
} satisfies BundlingOptions;

export const FUNCTION_RUNTIME = Runtime.NODEJS_24_X;

/** The deployable functions: each is a folder under functions/ with an index.ts exporting `handler`. */
export const FUNCTION_NAMES = ['checkout-api', 'stripe-webhook', 'setup-worker'] as const;

export function functionEntry(functionName: string): string {
  return path.join(PROJECT_ROOT, 'functions', functionName, 'index.ts');
}

/** The same build as FUNCTION_BUNDLING, as esbuild's own options (for the bundle check and benchmark). */
export function esbuildOptionsFor(functionName: string, outfile: string) {
  return {
    entryPoints: [functionEntry(functionName)],
    outfile,
    bundle: true,
    platform: 'node' as const,
    format: 'cjs' as const,
    target: FUNCTION_BUNDLING.target,
    minify: FUNCTION_BUNDLING.minify,
    sourcemap: FUNCTION_BUNDLING.sourceMap,
    sourcesContent: FUNCTION_BUNDLING.sourcesContent,
    mainFields: FUNCTION_BUNDLING.mainFields,
    external: FUNCTION_BUNDLING.externalModules,
    alias: BUNDLE_ALIASES,
    metafile: true,
    logLevel: 'silent' as const,
  };
}

export interface ServiceFunctionProps {
  /** Folder under functions/ whose index.ts exports `handler`. */
  functionName: (typeof FUNCTION_NAMES)[number];
  description: string;
  environment: Record<string, string>;
  timeout: Duration;
  memorySize?: number;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
}

/**
 * The one place that fixes what every Lambda function shares: runtime, arm64, esbuild bundling, source
 * maps, a log group with retention, X-Ray tracing. Each function declares only what differs.
 */
export class ServiceFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    // A role of its own instead of AWSLambdaBasicExecutionRole, which may write to every log group of the
    // account: this function may only add streams and events to its own group, which the stack creates
    // (so no logs:CreateLogGroup either). https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${props.functionName} function`,
    });
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    this.function = new NodejsFunction(this, 'Function', {
      entry: functionEntry(props.functionName),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: FUNCTION_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout,
      tracing: Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      bundling: FUNCTION_BUNDLING,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
    });
  }
}
