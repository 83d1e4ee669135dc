import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { AwsCall } from '../functions/manifest.ts';
import type { HouseFunction } from './house-function.ts';
import { nagArnToken } from './nag.ts';

/** Props of {@link AuditTrail}. */
export interface AuditTrailProps {
  /** How long each checkpoint is locked (compliance mode: no one can shorten it or delete the object). */
  readonly retention: Duration;
  /** How often a checkpoint is published. */
  readonly interval: Duration;
}

/**
 * Where checkpoints are signed and kept: a KMS asymmetric key (ECC_NIST_P256, sign/verify)
 * whose private half never leaves KMS, and an S3 bucket with Object Lock in compliance mode,
 * so no one, the account's root user included, can rewrite or delete a checkpoint before its
 * retention ends. A schedule runs publish-checkpoint.
 */
export class AuditTrail extends Construct {
  /** The checkpoint bucket. */
  readonly bucket: s3.Bucket;
  /** The signing key. */
  readonly signingKey: kms.Key;
  private readonly interval: Duration;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    this.interval = props.interval;
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(400) }],
    });
    this.bucket = new s3.Bucket(this, 'Checkpoints', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.compliance(props.retention),
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'checkpoints/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.signingKey = new kms.Key(this, 'SigningKey', {
      description: 'Signs the CEPTOAR relay event log checkpoints (Merkle roots)',
      keySpec: kms.KeySpec.ECC_NIST_P256,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      // Old checkpoints must stay verifiable: the key is never deleted with the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** Grants a function the checkpoint calls its manifest lists, and tells it where checkpoints go. */
  grant(fn: HouseFunction, calls: readonly AwsCall[]): void {
    const objectCalls = calls.filter((c) => c === 's3:PutObject' || c === 's3:GetObject');
    if (objectCalls.length > 0) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: objectCalls,
          resources: [this.bucket.arnForObjects('checkpoints/*')],
        }),
      );
      fn.acknowledgePolicyFinding(
        `AwsSolutions-IAM5[Resource::${nagArnToken(this.bucket, fn)}/checkpoints/*]`,
        'Checkpoint objects are named by their creation time; the grant spans the checkpoints/ prefix of one bucket.',
      );
    }
    if (calls.includes('s3:ListBucket')) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }),
      );
    }
    const keyCalls = calls.filter((c) => c.startsWith('kms:'));
    if (keyCalls.length > 0) this.signingKey.grant(fn, ...keyCalls);
    if (objectCalls.length + keyCalls.length > 0) {
      fn.addEnvironment('CHECKPOINT_BUCKET', this.bucket.bucketName);
      fn.addEnvironment('CHECKPOINT_KEY_ID', this.signingKey.keyArn);
    }
  }

  /** Runs the function on the checkpoint interval. */
  schedule(fn: HouseFunction): void {
    new events.Rule(this, 'Schedule', {
      description: 'Publishes a signed checkpoint of the event log',
      schedule: events.Schedule.rate(this.interval),
      targets: [new targets.LambdaFunction(fn, { retryAttempts: 2 })],
    });
  }
}
