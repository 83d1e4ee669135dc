import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { REPO_ROOT } from './house-function.ts';
import { CeptoarRelayStack, stackSettingsFromContext } from './stack.ts';

/** The one stack's id; also its CloudFormation stack name. */
export const STACK_ID = 'CeptoarRelay';

/** Context key that restricts asset bundling to the listed stacks; `[]` skips esbuild entirely. */
export const BUNDLING_STACKS_CONTEXT = 'aws:cdk:bundling-stacks';

/** Options of {@link buildApp}. */
export interface BuildAppOptions {
  /** Context on top of cdk.json's (the CLI's own context still wins when run by `cdk`). */
  readonly context?: Readonly<Record<string, unknown>>;
  /** Bundle the functions with esbuild (default true); off for in-process synthesis that only needs the template. */
  readonly bundling?: boolean;
  /** Run cdk-nag's AwsSolutions checks at synthesis (default true). */
  readonly nag?: boolean;
  /** Cloud assembly directory (default: CDK's, i.e. cdk.out under the CLI, a temporary directory otherwise). */
  readonly outdir?: string;
}

/**
 * The CDK app with the {@link CeptoarRelayStack}. In-process users (tests, the local runtime) get the same
 * feature flags and settings as `cdk synth`, because cdk.json's context is applied here too.
 */
export function buildApp(options: BuildAppOptions = {}): { app: App; stack: CeptoarRelayStack } {
  const context: Record<string, unknown> = { ...cdkJsonContext(), ...options.context };
  if (options.bundling === false) context[BUNDLING_STACKS_CONTEXT] = [];
  const app = new App({ context, ...(options.outdir === undefined ? {} : { outdir: options.outdir }) });
  const stack = new CeptoarRelayStack(app, STACK_ID, {
    description: 'CEPTOAR incident relay (chemical sector): event store, relay workflow, notifications, API',
    env: {
      account: process.env.CDK_DEFAULT_ACCOUNT,
      region: process.env.CDK_DEFAULT_REGION ?? 'ap-northeast-1',
    },
    settings: stackSettingsFromContext(app),
  });
  if (options.nag !== false) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(`${REPO_ROOT}cdk.json`, 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

// Run by the CDK CLI (cdk.json "app"); importing this module only defines buildApp.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  buildApp().app.synth();
}
