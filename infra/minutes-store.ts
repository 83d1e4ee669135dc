import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { AwsCall } from '../functions/manifest.ts';
import type { HouseFunction } from './house-function.ts';
import { nagArnToken } from './nag.ts';

/**
 * The bucket of attached files (activity minutes): private, encrypted, TLS only, versioned,
 * access-logged, kept with the stack's removal. A file is named by its SHA-256 under
 * `minutes/<activity>/`, and the event log records which one an activity carries.
 */
export class MinutesStore extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(400) }],
    });
    this.bucket = new s3.Bucket(this, 'Minutes', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'minutes/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** Grants a function the object calls its manifest lists, on the minutes/ prefix, and names the bucket. */
  grant(fn: HouseFunction, calls: readonly AwsCall[]): void {
    const objectCalls = calls.filter((c) => c === 's3:PutObject' || c === 's3:GetObject');
    if (objectCalls.length === 0) return;
    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: objectCalls, resources: [this.bucket.arnForObjects('minutes/*')] }),
    );
    fn.acknowledgePolicyFinding(
      `AwsSolutions-IAM5[Resource::${nagArnToken(this.bucket, fn)}/minutes/*]`,
      'Minutes are named by activity and SHA-256; the grant spans the minutes/ prefix of one bucket.',
    );
    fn.addEnvironment('MINUTES_BUCKET', this.bucket.bucketName);
  }
}
