import { fileURLToPath } from 'node:url';
import { Duration, Size } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { FunctionSpec } from '../functions/manifest.ts';
import type { HouseBundler } from './bundling.ts';
import { acknowledgeNagFinding } from './nag.ts';
import { PDF_LAYER_MOUNT } from './pdf-layer.ts';

/** The repository root: entries, the lock file and esbuild's working directory are resolved from here. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The Lambda runtime every function of the system runs on. */
export const HOUSE_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** Timeout per trigger: each is kept below what its caller waits for, so the caller sees our error, not its own. */
const TIMEOUT: Record<FunctionSpec['trigger'], Duration> = {
  // API Gateway gives up after 30 s; a command is one GetItem and one TransactWriteItems.
  http: Duration.seconds(10),
  // Plan and Escalate have a 30 s task timeout; Lambda's own fires first and names the function in the error.
  workflow: Duration.seconds(20),
  // A batch of up to 100 stream records, each possibly a StartExecution or a publish.
  'event-stream': Duration.seconds(60),
  // Up to 10 deliveries to SES, SNS SMS or a webhook that may be slow to answer.
  'notification-queue': Duration.seconds(30),
  // Lists every stream's head (sharded queries), builds the tree, one KMS Sign, two S3 puts.
  schedule: Duration.seconds(120),
};

/** Props of {@link HouseFunction}. */
export interface HouseFunctionProps {
  /** The manifest entry: its name selects the entry file and `CEPTOAR_FUNCTION`, its trigger the timeout. */
  readonly spec: FunctionSpec;
  /** Environment on top of the house variables. */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * The log group every function shares (its streams are named `YYYY/MM/DD/<function>[version][id]`,
   * so each line stays with its function): one log group per function would cost a CloudFormation
   * resource each, and the stack's 500-resource limit was reached at 65 functions.
   */
  readonly logGroup: logs.ILogGroup;
  /** Bundles `functions/<name>.ts` with every other function of the stack in one esbuild run. */
  readonly bundler: HouseBundler;
  /** The PDF layer (infra/pdf-layer.ts), for a function whose manifest entry prints PDFs (`pdf`). */
  readonly pdfLayer?: lambda.ILayerVersion;
}

/**
 * What Chromium needs on Lambda, for a function that prints PDFs, beside the memory and time its manifest entry
 * asks for: the inflated browser takes some 210 MB of /tmp, and x86_64 is the one architecture
 * @sparticuz/chromium builds.
 */
const PDF_FUNCTION = {
  architecture: lambda.Architecture.X86_64,
  ephemeralStorageSize: Size.mebibytes(1024),
} as const;

/**
 * A manifest function with the house defaults: Node.js 24 on ARM, X-Ray, the functions' shared log group kept for audit,
 * an own role without AWS managed policies, and an ESM bundle of `functions/<name>.ts` with pinned SDKs
 * (infra/bundling.ts: the options NodejsFunction would pass to esbuild, in one run for every function).
 */
export class HouseFunction extends lambda.Function {
  /** The manifest entry this function was built from. */
  readonly spec: FunctionSpec;
  /** The execution role; every grant lands in its default policy. */
  readonly executionRole: iam.Role;
  private readonly policyFindingReasons = new Map<string, readonly string[]>();

  constructor(scope: Construct, id: string, props: HouseFunctionProps) {
    const { spec } = props;
    // The role is a sibling because it has to exist before super() runs.
    // Our own role instead of the default one keeps AWSLambdaBasicExecutionRole (logs:* on *) out.
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${spec.name}`,
    });
    const { logGroup } = props;
    if (spec.pdf === true && props.pdfLayer === undefined)
      throw new Error(`${spec.name} prints PDFs: give it the PDF layer`);
    super(scope, id, {
      code: props.bundler.code(spec.name),
      handler: 'index.handler',
      description: spec.description,
      runtime: HOUSE_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: spec.memoryMiB ?? 512,
      timeout:
        spec.timeoutSeconds === undefined ? TIMEOUT[spec.trigger] : Duration.seconds(spec.timeoutSeconds),
      tracing: lambda.Tracing.ACTIVE,
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      ...(spec.pdf === true ? { ...PDF_FUNCTION, layers: props.pdfLayer ? [props.pdfLayer] : [] } : {}),
      environment: {
        ...props.environment,
        ...(spec.pdf === true
          ? { CEPTOAR_PDF_LAYER: PDF_LAYER_MOUNT, CEPTOAR_PDF_FONTS: `${PDF_LAYER_MOUNT}/noto-sans-jp` }
          : {}),
        // The local runtime maps the synthesized template's functions back to handler modules by this.
        CEPTOAR_FUNCTION: spec.name,
        POWERTOOLS_SERVICE_NAME: 'ceptoar-relay',
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
    this.spec = spec;
    this.executionRole = role;
    logGroup.grantWrite(role);
    this.acknowledgePolicyFinding(
      'AwsSolutions-IAM5[Resource::*]',
      'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.',
    );
  }

  /**
   * Acknowledges a cdk-nag finding (`AwsSolutions-IAM5[...]`) on this function's default policy, where every grant lands. Reasons given
   * for the same finding accumulate, because one finding (e.g. `Resource::*`) covers all statements alike.
   */
  acknowledgePolicyFinding(id: string, reason: string): void {
    const reasons = [...(this.policyFindingReasons.get(id) ?? []), reason];
    this.policyFindingReasons.set(id, reasons);
    const defaultPolicy = this.executionRole.node.tryFindChild('DefaultPolicy');
    if (defaultPolicy === undefined) throw new Error(`${this.node.path}: no default policy to acknowledge`);
    // A later acknowledgement of the same id on the same construct replaces the earlier one.
    acknowledgeNagFinding(defaultPolicy, id, reasons.join(' '));
  }
}
