import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  AssetHashType,
  DefaultStackSynthesizer,
  DockerImage,
  Duration,
  RemovalPolicy,
  Stack,
  Token,
} from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import type { ConsoleConfig } from '../web/src/config.ts';
import { REPO_ROOT } from './house-function.ts';
import { acknowledgeNagFinding, nagArnToken } from './nag.ts';

/** Where the console's files live in the bucket and on the distribution (vite's `base`). */
const PREFIX = 'app';

/**
 * The web console on AWS: a private S3 bucket behind CloudFront (Origin Access Control), with access logs.
 * {@link ConsoleHosting.publish} uploads the Vite build and a `config.json` whose API URL and Cognito
 * settings are filled in at deploy time, so one build serves every deployment.
 */
export class ConsoleHosting extends Construct {
  /** The site's files. */
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  /** The console's origin, e.g. https://d111111abcdef8.cloudfront.net (a token until deploy). */
  readonly url: string;
  /** Where Cognito's hosted UI sends the browser back to (authorization code with PKCE). */
  readonly callbackUrl: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const logs = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFront's standard logs are delivered with ACLs.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(400) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket = new s3.Bucket(this, 'Site', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 's3/',
      // Built files only: a new deployment writes them again.
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: false,
    });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'CEPTOAR relay web console',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
      },
      defaultRootObject: `${PREFIX}/index.html`,
      // The console routes on the client: an unknown path (a message link /incidents/{id}, a deep link
      // under /app/) is its index.html. Without s3:ListBucket, S3 answers a missing key with 403.
      errorResponses: [403, 404].map((httpStatus) => ({
        httpStatus,
        responseHttpStatus: 200,
        responsePagePath: `/${PREFIX}/index.html`,
        ttl: Duration.seconds(10),
      })),
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cloudfront/',
    });
    acknowledgeNagFinding(
      this.distribution,
      'AwsSolutions-CFR1',
      'Duty officers must reach the console wherever they are (travel, disaster recovery sites); access is gated by Cognito with MFA, not by country.',
    );
    acknowledgeNagFinding(
      this.distribution,
      'AwsSolutions-CFR2',
      'The distribution serves static files only; the API it calls has its own throttling and a JWT authorizer. Attach a WAF web ACL per deployment if the organisation requires one.',
    );
    acknowledgeNagFinding(
      this.distribution,
      'AwsSolutions-CFR4',
      'The default *.cloudfront.net certificate cannot be pinned to TLSv1.2_2021; give the distribution a domain name and an ACM certificate to enforce it.',
    );
    this.url = `https://${this.distribution.distributionDomainName}`;
    this.callbackUrl = `${this.url}/${PREFIX}/auth/callback`;
  }

  /**
   * Uploads the console (built by Vite during synthesis, on this machine: no Docker) and its config.json,
   * then invalidates the two files that are not content-hashed.
   */
  publish(config: ConsoleConfig): s3deploy.BucketDeployment {
    const deployment = new s3deploy.BucketDeployment(this, 'Deploy', {
      sources: [
        s3deploy.Source.asset(join(REPO_ROOT, 'web'), {
          assetHashType: AssetHashType.OUTPUT,
          bundling: {
            // Never used: local bundling always succeeds or throws, and synthesis must not need Docker.
            image: DockerImage.fromRegistry('node:20-slim'),
            local: { tryBundle: (outputDir) => buildInto(outputDir) },
          },
        }),
        s3deploy.Source.jsonData('config.json', config),
      ],
      destinationBucket: this.bucket,
      destinationKeyPrefix: `${PREFIX}/`,
      distribution: this.distribution,
      distributionPaths: [`/${PREFIX}/index.html`, `/${PREFIX}/config.json`],
      memoryLimit: 512,
    });
    this.acknowledgeDeploymentPolicy();
    return deployment;
  }

  /**
   * The upload runs in CDK's singleton custom-resource function, which sits at the stack's root; its policy is
   * the one aws-cdk-lib writes for the copy and the invalidation. Each wildcard it holds is acknowledged there.
   */
  private acknowledgeDeploymentPolicy(): void {
    const stack = Stack.of(this);
    const handler = stack.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
    const role = handler?.node.tryFindChild('ServiceRole');
    const policy = role?.node.tryFindChild('DefaultPolicy');
    if (!handler || !role || !policy)
      throw new Error("BucketDeployment's handler moved: update the acknowledgements");
    acknowledgeNagFinding(
      handler,
      'AwsSolutions-L1',
      "The runtime of CDK's BucketDeployment handler is chosen by aws-cdk-lib and moves forward with it.",
    );
    acknowledgeNagFinding(
      role,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      "CDK's BucketDeployment handler writes its logs through the AWS managed basic execution policy.",
    );
    const literal = (value: string, pseudo: string) =>
      Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value;
    const assets = `cdk-${DefaultStackSynthesizer.DEFAULT_QUALIFIER}-assets-${literal(stack.account, 'AccountId')}-${literal(stack.region, 'Region')}`;
    const findings: [string, string][] = [
      [
        'Resource::*',
        'cloudfront:CreateInvalidation and GetInvalidation, which support no resource-level permissions.',
      ],
      ...['s3:GetBucket*', 's3:GetObject*', 's3:List*'].map((action): [string, string] => [
        `Action::${action}`,
        `${action} on the CDK asset bucket and the console bucket: the reads of the copy CDK's BucketDeployment makes.`,
      ]),
      ...['s3:Abort*', 's3:DeleteObject*'].map((action): [string, string] => [
        `Action::${action}`,
        `${action} on the console bucket's objects: the writes and pruning of CDK's BucketDeployment, nothing else.`,
      ]),
      [
        `Resource::arn:aws:s3:::${assets}/*`,
        "The CDK bootstrap asset bucket's objects: where the console's zipped build is read from.",
      ],
      [
        `Resource::${nagArnToken(this.bucket)}/*`,
        "The console bucket's objects: where the build is written.",
      ],
    ];
    for (const [finding, reason] of findings)
      acknowledgeNagFinding(policy, `AwsSolutions-IAM5[${finding}]`, reason);
  }
}

/** `vite build` of the console into CDK's asset staging folder. */
function buildInto(outputDir: string): boolean {
  execFileSync(
    process.execPath,
    [
      join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--config',
      join(REPO_ROOT, 'web', 'vite.config.ts'),
      '--outDir',
      outputDir,
      '--emptyOutDir',
      '--logLevel',
      'error',
    ],
    // A test runner's NODE_ENV=test would keep development code in the bundle.
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, NODE_ENV: 'production' },
    },
  );
  return true;
}
