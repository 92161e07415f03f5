import { startLocalLambdaRuntime } from '../../dev/local-aws/lambda-runtime';

// The AWS SDK warns once per process that its Node 20 support ends in 2027; deployed functions run Node 22+.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

// Every test file runs handlers as the local stack does: one Lambda context per invocation, in the runtime's
// InvokeStore (Powertools reads request ids and trace ids there). Jest shares process.env between the files
// of one worker, and the store lives on each file's own globalThis, so each file installs it.
startLocalLambdaRuntime();
// Metrics are written whatever LOG_LEVEL says; tests that read them turn them back on.
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
