/** Stand-ins accept any credentials; fixed ones keep the SDK from searching the machine for real ones. */
export const LOCAL_AWS_REGION = 'us-east-1';
export const LOCAL_AWS_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** The environment a function needs to reach local stand-ins through the SDK's standard variables. */
export function localAwsEnvironment(endpoints: { sqs: string; dynamodb: string }): Record<string, string> {
  return {
    AWS_REGION: LOCAL_AWS_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_AWS_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_AWS_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    // The SDK warns once per process that Node 20 support ends in 2027; deployed functions run Node 22+.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}
