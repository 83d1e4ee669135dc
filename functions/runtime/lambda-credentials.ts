import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * The credentials of every AWS SDK client in a Lambda bundle: the function's execution role, which Lambda
 * puts in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN before the handler's module loads.
 *
 * The CDK app's bundles resolve `@aws-sdk/credential-provider-node` to this module (infra/bundling.ts,
 * `alias`): the SDK's default chain tries the environment first and would answer with the same
 * credentials, but it also carries its SSO, profile-file, process, web-identity and instance-metadata
 * providers and the STS, SSO and sign-in clients they call (some 135 KB of each bundle, 41% of a bare
 * DynamoDB client's), which a Lambda function never reaches. Run outside Lambda without those variables,
 * a bundle's first AWS call fails with the SDK's "Unable to find environment variable credentials."
 * The local stack and the tests run the sources, with the default chain (credentials in the environment
 * there too).
 */
export const defaultProvider = (init: Parameters<typeof fromEnv>[0] = {}): ReturnType<typeof fromEnv> =>
  fromEnv(init);
