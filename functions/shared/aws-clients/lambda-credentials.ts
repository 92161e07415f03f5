import { fromEnv } from '@aws-sdk/credential-provider-env';

/*
 * Stands in for `@aws-sdk/credential-provider-node` in the deployed bundles only (an esbuild alias set in
 * lib/service-function.ts): Lambda puts the execution role's credentials in AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime),
 * the first source the SDK's default chain reads, so the rest of that chain (SSO, STS web identity, ini
 * files, IMDS, with their nested clients, readline and fs) is never used there. Leaving it out takes ~90 KB
 * out of each bundle and its parse and module set-up out of every cold init (bench figures 1 and 2).
 * Tests, scripts and `npm run dev` run unbundled and keep the SDK's full default chain.
 */
export const defaultProvider = (init: Parameters<typeof fromEnv>[0] = {}): ReturnType<typeof fromEnv> =>
  fromEnv(init);
