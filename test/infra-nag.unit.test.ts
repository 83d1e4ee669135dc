import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { functions } from '../functions/manifest.ts';
import { buildApp, STACK_ID } from '../infra/app.ts';

/** One unacknowledged finding of the validation report, whatever plugin raised it. */
interface Finding {
  readonly plugin: string;
  readonly rule: string;
  readonly severity: string;
  readonly path: string;
}

interface Violation {
  readonly ruleName: string;
  readonly severity?: string;
  readonly violatingConstructs: readonly { readonly constructPath: string }[];
}

interface ValidationReport {
  readonly pluginReports: readonly {
    readonly pluginName: string;
    readonly violations: readonly Violation[];
    readonly suppressedViolations?: readonly (Violation & {
      acknowledgedId: string;
      acknowledgedAt: string;
      reason?: string;
    })[];
  }[];
}

const CANARY_STACK = 'NagCanary';

const relativePath = (path: string): string => path.slice(STACK_ID.length + 1);

// One synthesis of the real app with cdk-nag as buildApp registers it. A canary stack in the same app holds a
// bucket that breaks AwsSolutions rules, proving the checks ran and that this file reads their findings;
// failSynthOnValidationErrors=false makes CDK write the report instead of throwing on the canary's errors.
const outdir = mkdtempSync(join(tmpdir(), 'ceptoar-nag-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));
const { app, stack } = buildApp({
  bundling: false,
  outdir,
  // With a voice origination identity, so the call grant is among what the checks see.
  context: {
    '@aws-cdk/core:failSynthOnValidationErrors': false,
    voiceOriginationIdentity: 'pool-0123456789abcdef0123456789abcdef',
  },
});
new s3.Bucket(new Stack(app, CANARY_STACK, { env: { region: stack.region } }), 'NonCompliantBucket');
const assembly = app.synth();
const report = JSON.parse(
  readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8'),
) as ValidationReport;

// Unsuppressed violations; CDK lists the acknowledged ones apart, under `suppressedViolations`.
const findings: readonly Finding[] = report.pluginReports.flatMap((plugin) =>
  plugin.violations.flatMap((violation) =>
    violation.violatingConstructs.map((construct) => ({
      plugin: plugin.pluginName,
      rule: violation.ruleName,
      severity: violation.severity ?? 'error',
      path: construct.constructPath,
    })),
  ),
);

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged in the relay stack: no error, no warning, from any plugin', () => {
    // Everything outside the canary counts, including findings without a construct path.
    expect(findings.filter((f) => !f.path.startsWith(`${CANARY_STACK}/`))).toEqual([]);
  });

  it('reports the canary bucket, so a new finding in the relay stack would fail the test above', () => {
    const canary = findings.filter((f) => f.path.startsWith(`${CANARY_STACK}/`));
    expect(canary).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ plugin: 'AwsSolutions', rule: 'AwsSolutions-S1', severity: 'error' }),
        expect.objectContaining({ plugin: 'AwsSolutions', rule: 'AwsSolutions-S10', severity: 'error' }),
      ]),
    );
  });

  it('acknowledges only these findings, each where it arises and with a reason', () => {
    // Acknowledgements as recorded on the constructs, keyed `<path below the stack> <finding>`.
    const recorded = new Map<string, string>();
    for (const construct of stack.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
          // The last acknowledgement of an id on a construct is the one that counts.
          recorded.set(`${relativePath(construct.node.path)} ${id}`, reason);
        }
      }
    }
    // Where a function's policy is, below the stack (the HTTP API's functions are in the nested HttpRoutes),
    // and how a parent resource's ARN reads there (in the nested stack, the parameter that passes it).
    const pascal = (name: string) => name.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase());
    const httpFunction = (name: string) => functions.some((f) => f.name === name && f.trigger === 'http');
    const policyOf = (name: string) =>
      `${httpFunction(name) ? 'HttpRoutes/' : ''}${pascal(name)}Role/DefaultPolicy`;
    const arnIn = (name: string, logicalId: string, uniqueId: string) =>
      httpFunction(name) ? `<referenceto${uniqueId}Arn>` : `<${logicalId}.Arn>`;
    // Every function that reads or writes the event table, by its construct name (the manifest's
    // name in PascalCase), carries these two: the table's index ARN pattern and a Resource::*.
    const functionPolicies = functions
      .filter((f) => (f.calls as readonly string[]).some((c) => c.startsWith('dynamodb:')))
      .flatMap((f) => [
        `${policyOf(f.name)} AwsSolutions::AwsSolutions-IAM5[Resource::*]`,
        `${policyOf(f.name)} AwsSolutions::AwsSolutions-IAM5[Resource::${arnIn(f.name, 'EventsD32975C2', 'CeptoarRelayEvents2927DB77')}/index/*]`,
      ]);
    const checkpoints = (name: string) =>
      `${policyOf(name)} AwsSolutions::AwsSolutions-IAM5[Resource::${arnIn(name, 'AuditTrailCheckpointsD605398F', 'CeptoarRelayAuditTrailCheckpointsBD52D2D4')}/checkpoints/*]`;
    const minutes = (name: string) =>
      `${policyOf(name)} AwsSolutions::AwsSolutions-IAM5[Resource::${arnIn(name, 'MinutesStoreMinutes16C9BCA1', 'CeptoarRelayMinutesStoreMinutesAAB8E4B4')}/minutes/*]`;
    // The web console: CloudFront, and the policy aws-cdk-lib writes for BucketDeployment's singleton handler.
    const deployment = 'Custom::CDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C512MiB';
    const consoleHosting = [
      'Console/Distribution AwsSolutions::AwsSolutions-CFR1',
      'Console/Distribution AwsSolutions::AwsSolutions-CFR2',
      'Console/Distribution AwsSolutions::AwsSolutions-CFR4',
      `${deployment} AwsSolutions::AwsSolutions-L1`,
      `${deployment}/ServiceRole AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]`,
      ...[
        'Resource::*',
        'Action::s3:GetBucket*',
        'Action::s3:GetObject*',
        'Action::s3:List*',
        'Action::s3:Abort*',
        'Action::s3:DeleteObject*',
        `Resource::arn:aws:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-${stack.region}/*`,
        'Resource::<ConsoleSite26539DB4.Arn>/*',
      ].map((f) => `${deployment}/ServiceRole/DefaultPolicy AwsSolutions::AwsSolutions-IAM5[${f}]`),
    ];
    expect([...recorded.keys()].sort()).toEqual(
      [
        ...functionPolicies,
        ...consoleHosting,
        'StreamNotifierRole/DefaultPolicy AwsSolutions::AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        'DeliverNotificationSmsPublish AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        'StreamReactorFailedBatches AwsSolutions::AwsSolutions-SQS3',
        'StreamNotifierFailedBatches AwsSolutions::AwsSolutions-SQS3',
        checkpoints('audit-checkpoints'),
        checkpoints('publish-checkpoint'),
        checkpoints('annual-report'),
        minutes('attach-minutes'),
        minutes('get-minutes'),
        'RelayWorkflow/StateMachine/Role/DefaultPolicy AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        'RelayWorkflow/StateMachine/Role/DefaultPolicy AwsSolutions::AwsSolutions-IAM5[Resource::<RelayStep96CEE648.Arn>:*]',
        'AdvisoryWorkflow/StateMachine/Role/DefaultPolicy AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        'AdvisoryWorkflow/StateMachine/Role/DefaultPolicy AwsSolutions::AwsSolutions-IAM5[Resource::<RelayStep96CEE648.Arn>:*]',
        'ExerciseWorkflow/StateMachine/Role/DefaultPolicy AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        'ExerciseWorkflow/StateMachine/Role/DefaultPolicy AwsSolutions::AwsSolutions-IAM5[Resource::<RelayStep96CEE648.Arn>:*]',
        'AckLinkKey AwsSolutions::AwsSolutions-SMG4',
        'WebhookMasterKey AwsSolutions::AwsSolutions-SMG4',
        'HttpApi/GET--ack--{token} AwsSolutions::AwsSolutions-APIG4',
        'HttpApi/POST--ack--{token} AwsSolutions::AwsSolutions-APIG4',
        'HttpApi/GET--public--board AwsSolutions::AwsSolutions-APIG4',
        'HttpApi/GET--openapi.json AwsSolutions::AwsSolutions-APIG4',
        // The OpenAPI document's function reads no table: only its X-Ray statement is a wildcard.
        `${policyOf('openapi')} AwsSolutions::AwsSolutions-IAM5[Resource::*]`,
      ].sort(),
    );
    for (const [key, reason] of recorded) expect(reason.length, key).toBeGreaterThan(40);
    // One finding covers every wildcard statement of a policy, so the reason must name each of them.
    expect(
      recorded.get('StreamReactorRole/DefaultPolicy AwsSolutions::AwsSolutions-IAM5[Resource::*]'),
    ).toMatch(/X-Ray.*ListStreams/);
  });

  it('uses every acknowledgement: each one suppressed a finding in this synthesis', () => {
    const recorded = new Set<string>();
    for (const construct of stack.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const id of Object.keys(entry.data as object))
          recorded.add(`${relativePath(construct.node.path)} ${id}`);
      }
    }
    const used = new Set(
      report.pluginReports
        .flatMap((plugin) => plugin.suppressedViolations ?? [])
        .map((s) => `${relativePath(s.acknowledgedAt)} ${s.acknowledgedId}`),
    );
    expect([...recorded].filter((ack) => !used.has(ack))).toEqual([]);
  });
});
