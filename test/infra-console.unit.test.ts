import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../infra/app.ts';
import { flatTemplate } from './support/templates.ts';

// The console's hosting as synthesized (no bundling: the template is what matters here).
const outdir = mkdtempSync(join(tmpdir(), 'ceptoar-console-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));
const { stack } = buildApp({ bundling: false, nag: false, outdir });
const template = Template.fromJSON(flatTemplate(stack));
const distributionId = stack.getLogicalId(stack.console.distribution.node.defaultChild as never);
const consoleOrigin = { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }]] };

describe('console hosting', () => {
  it('keeps the site bucket private, encrypted and TLS-only, reachable by CloudFront alone (OAC)', () => {
    const siteId = stack.getLogicalId(stack.console.bucket.node.defaultChild as never);
    expect(template.toJSON().Resources[siteId].Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      LoggingConfiguration: { LogFilePrefix: 's3/' },
    });
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Action: 's3:GetObject', Principal: { Service: 'cloudfront.amazonaws.com' } }),
        ]),
      },
    });
  });

  it('serves /app/ and hands every unknown path to the app, which routes on the client', () => {
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'app/index.html',
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
        CustomErrorResponses: [
          { ErrorCode: 403, ResponseCode: 200, ResponsePagePath: '/app/index.html', ErrorCachingMinTTL: 10 },
          { ErrorCode: 404, ResponseCode: 200, ResponsePagePath: '/app/index.html', ErrorCachingMinTTL: 10 },
        ],
        Logging: Match.objectLike({ Prefix: 'cloudfront/' }),
      }),
    });
  });

  it('uploads the build under app/ with a config.json naming the API and Cognito, filled in at deploy time', () => {
    const [deployment] = Object.values(template.findResources('Custom::CDKBucketDeployment'));
    const props = deployment?.Properties as {
      DestinationBucketKeyPrefix: string;
      SourceMarkers: object[];
      DistributionPaths: string[];
    };
    expect(props.DestinationBucketKeyPrefix).toBe('app/');
    expect(props.DistributionPaths).toEqual(['/app/index.html', '/app/config.json']);
    const markers = Object.values(props.SourceMarkers[1] ?? {});
    expect(markers).toEqual([
      { 'Fn::GetAtt': [expect.stringMatching(/^HttpApi/), 'ApiEndpoint'] },
      { Ref: expect.stringMatching(/^UserPoolDomain/) },
      { Ref: expect.stringMatching(/^UserPoolWebClient/) },
    ]);
  });

  it('lets the console origin call the API, return from Cognito, and be the base of message links', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({
        AllowOrigins: [consoleOrigin],
        AllowHeaders: ['authorization', 'content-type', 'idempotency-key'],
      }),
    });
    const callback = {
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }, '/app/auth/callback']],
    };
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      CallbackURLs: Match.arrayWith([callback]),
      AllowedOAuthFlows: ['code'],
      GenerateSecret: false,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ CEPTOAR_FUNCTION: 'stream-notifier', PUBLIC_URL: consoleOrigin }),
      },
    });
  });

  it('builds acknowledgement links on the API (the console origin serves files only); their page links to the console', () => {
    const apiId = stack.getLogicalId(stack.httpApi.node.defaultChild as never);
    const env = (name: string) =>
      Object.values(template.findResources('AWS::Lambda::Function'))
        .map(
          (f) => (f as { Properties: { Environment?: { Variables?: Record<string, unknown> } } }).Properties,
        )
        .find((p) => p.Environment?.Variables?.CEPTOAR_FUNCTION === name)?.Environment?.Variables ?? {};
    expect(JSON.stringify(env('stream-notifier').ACK_URL)).toContain(apiId);
    expect(env('ack-link').PUBLIC_URL).toEqual(consoleOrigin);
  });
});
