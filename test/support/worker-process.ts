/**
 * One worker "instance" in its own process, configured from the environment like the Lambda function, fed by
 * the local event source poller — so a test can kill it with SIGKILL in the middle of a setup.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { startLocalLambdaRuntime } from '../../dev/local-aws/lambda-runtime';
import { startSqsPoller } from '../../dev/local-aws/sqs-poller';
import { wireSetupWorker } from '../../functions/setup-worker/wiring';

const worker = startLocalLambdaRuntime().invoker('setup-worker', wireSetupWorker(process.env));
startSqsPoller(new SQSClient({}), process.env.QUEUE_URL ?? '', worker, { batchSize: 1 });
