import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { isBuiltin } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FunctionSpec, functions } from '../functions/manifest.ts';
import { buildApp, STACK_ID } from '../infra/app.ts';
import { houseBuild } from '../infra/bundling.ts';

const execFileAsync = promisify(execFile);

const specs: readonly FunctionSpec[] = functions;

/** The bundle directory of each function, by manifest name. */
const bundles = new Map<string, string>();
/** Temporary directories to remove afterwards: the bundles are some 40 MB per run. */
const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

// The one synthesis here bundles every function (65 of them, in one esbuild run: infra/bundling.ts) with the
// local esbuild, as `cdk synth` does: no Docker and no network. cdk-nag has its own file.
beforeAll(() => {
  const outdir = mkdtempSync(join(tmpdir(), 'ceptoar-bundle-'));
  scratch.push(outdir);
  buildApp({ outdir, nag: false }).app.synth();
  // The stack's template and its nested stacks' (the HTTP API's functions are in HttpRoutes); the stack's
  // asset manifest lists every function's code, nested or not.
  const templates = [
    `${STACK_ID}.template.json`,
    ...readdirSync(outdir).filter((f) => f.endsWith('.nested.template.json')),
  ].map(
    (file) =>
      JSON.parse(readFileSync(join(outdir, file), 'utf8')) as {
        Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
      },
  );
  const assets = JSON.parse(readFileSync(join(outdir, `${STACK_ID}.assets.json`), 'utf8')) as {
    files: Record<string, { source: { path: string } }>;
  };
  for (const resource of templates.flatMap((t) => Object.values(t.Resources))) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const name = (resource.Properties.Environment as { Variables: { CEPTOAR_FUNCTION: string } }).Variables
      .CEPTOAR_FUNCTION;
    const hash = (resource.Properties.Code as { S3Key: string }).S3Key.replace(/\.zip$/, '');
    const asset = assets.files[hash];
    if (asset === undefined) throw new Error(`${name}: no asset ${hash}`);
    bundles.set(name, join(outdir, asset.source.path));
  }
}, 180_000);

function bundleOf(name: string): string {
  const dir = bundles.get(name);
  if (dir === undefined) throw new Error(`no bundle for ${name}`);
  return dir;
}

describe('function bundles', () => {
  it.each(specs.map((s) => s.name))(
    '%s is a minified ESM bundle with a source map and a require shim',
    (name) => {
      const code = readFileSync(join(bundleOf(name), 'index.mjs'), 'utf8');
      expect(code.startsWith("import { createRequire as __houseCreateRequire } from 'node:module';")).toBe(
        true,
      );
      expect(code).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
      const map = JSON.parse(readFileSync(join(bundleOf(name), 'index.mjs.map'), 'utf8'));
      expect(map.mappings.length).toBeGreaterThan(0);
      expect(map.sources).toContainEqual(expect.stringMatching(new RegExp(`functions/${name}\\.ts$`)));
      // Positions only: Lambda's Node parses the map at every cold start (infra/bundling.ts).
      expect(map).not.toHaveProperty('sourcesContent');
    },
  );

  it("map a stack trace to the source's file and line under Lambda's --enable-source-maps", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ceptoar-source-map-'));
    scratch.push(dir);
    await houseBuild({
      stdin: {
        contents:
          "export const marker = 1;\n\nif (process.env.NEVER !== 'set') throw new Error('thrown in the source');\n",
        sourcefile: 'thrower.ts',
        resolveDir: process.cwd(),
        loader: 'ts',
      },
      outfile: join(dir, 'index.mjs'),
      logLevel: 'silent',
    });
    const run = execFileAsync(process.execPath, ['--enable-source-maps', join(dir, 'index.mjs')], {
      cwd: dir,
      encoding: 'utf8',
    });
    await expect(run).rejects.toMatchObject({ stderr: expect.stringMatching(/thrower\.ts:3:\d+/) });
  });

  it.each(specs.map((s) => s.name))('%s bundles its dependencies, the AWS SDK included', (name) => {
    const code = readFileSync(join(bundleOf(name), 'index.mjs'), 'utf8');
    // Import statements (`import … from "x"`, `import "x"`) start a statement; the SDK quotes one in an error
    // message, which this leaves out. Dynamic `import("x")` may sit in any expression.
    const statement = /(?:^|[;}\n])\s*import\s*(?:[\w$*{}\s,]+?\s*from\s*)?"([^"]+)"/g;
    const dynamic = /\bimport\(\s*"([^"]+)"\s*\)/g;
    const imported = [...code.matchAll(statement), ...code.matchAll(dynamic)].map((m) => m[1]);
    // The AWS SDK reads its configuration files; a function that calls no AWS API has no SDK.
    if ((specs.find((s) => s.name === name)?.calls.length ?? 0) > 0) expect(imported).toContain('node:fs');
    // Only Node's own modules stay imports; a CommonJS dependency may name one without `node:`
    // (exceljs requires 'crypto'), which Node resolves the same.
    expect(imported.filter((specifier) => !specifier || !isBuiltin(specifier))).toEqual([]);
  });

  it('loads every bundle away from node_modules and finds its handler', () => {
    // A copy outside the repository cannot resolve anything from node_modules, like the Lambda runtime.
    const isolated = mkdtempSync(join(tmpdir(), 'ceptoar-isolated-'));
    scratch.push(isolated);
    const entries = specs.map((s) => {
      cpSync(bundleOf(s.name), join(isolated, s.name), { recursive: true });
      return [s.name, join(isolated, s.name, 'index.mjs')] as const;
    });
    const script = `
      const result = {};
      for (const [name, file] of ${JSON.stringify(entries)}) {
        try { result[name] = typeof (await import(file)).handler; } catch (e) { result[name] = String(e); }
      }
      console.log(JSON.stringify(result));`;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: isolated,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'ap-northeast-1',
        // Lambda runs Node.js 24; the SDK's notice about older Node.js versions does not apply there.
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        EVENTS_TABLE: 'events',
        RELAY_WORKFLOW_ARN: 'arn:aws:states:ap-northeast-1:123456789012:stateMachine:relay',
        NOTIFICATIONS_TOPIC_ARN: 'arn:aws:sns:ap-northeast-1:123456789012:notifications',
        EMAIL_FROM: 'noreply@ceptoar.example',
        PUBLIC_URL: 'https://ceptoar.example',
      },
    });
    expect(JSON.parse(output)).toEqual(Object.fromEntries(specs.map((s) => [s.name, 'function'])));
  }, 60_000);

  it('ships each lazy module as its own file beside the bundle, loadable away from node_modules, and not in the bundle', () => {
    const lazy = specs.flatMap((s) => (s.lazy ?? []).map((module) => [s.name, module] as const));
    expect(lazy).toEqual([
      ['survey-results', 'survey-xlsx'],
      ['annual-report', 'pdf-chromium'],
      ['deliver-notification', 'voice-sender'],
    ]);
    const isolated = mkdtempSync(join(tmpdir(), 'ceptoar-lazy-'));
    scratch.push(isolated);
    const files = lazy.map(([name, module]) => {
      cpSync(bundleOf(name), join(isolated, name), { recursive: true });
      return join(isolated, name, `${module}.mjs`);
    });
    const script = `
      const result = [];
      for (const file of ${JSON.stringify(files)}) result.push(Object.keys(await import(file)).sort());
      console.log(JSON.stringify(result));`;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: isolated,
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    expect(JSON.parse(output)).toEqual([
      ['tablesXlsx'],
      ['lambdaChromium'],
      ['CALL_VOICE', 'deploymentVoiceSender', 'voiceSender'],
    ]);
    // The workbook's code is in the lazy file only: the bundle names the file, and carries none of exceljs.
    const index = readFileSync(join(bundleOf('survey-results'), 'index.mjs'), 'utf8');
    const chunk = readFileSync(join(bundleOf('survey-results'), 'survey-xlsx.mjs'), 'utf8');
    expect(chunk).toContain('xl/worksheets/');
    expect(index).not.toContain('xl/worksheets/');
    expect(index).toContain('survey-xlsx');
    // @sparticuz/chromium's inflater likewise: only in the annual report's lazy file.
    expect(readFileSync(join(bundleOf('annual-report'), 'pdf-chromium.mjs'), 'utf8')).toContain(
      'chromium.br',
    );
    expect(readFileSync(join(bundleOf('annual-report'), 'index.mjs'), 'utf8')).not.toContain('chromium.br');
    // End User Messaging's client likewise: only in the deliverer's file for calls.
    expect(readFileSync(join(bundleOf('deliver-notification'), 'voice-sender.mjs'), 'utf8')).toContain(
      'SendVoiceMessage',
    );
    expect(readFileSync(join(bundleOf('deliver-notification'), 'index.mjs'), 'utf8')).not.toContain(
      'SendVoiceMessage',
    );
  });

  it("carries a request body's schema only in the functions that parse it (builtOnce calls marked pure)", () => {
    // A module-level `builtOnce(...)` that esbuild cannot prove pure stays in every bundle importing its module,
    // with every schema its builder names (events/built-once.ts). One message of each body's schema, by bundle.
    const schemas = [
      {
        message: 'must not repeat a system',
        in: 'report-incident',
        notIn: ['list-incidents', 'get-incident'],
      },
      {
        message: 'a member contact needs a secondary channel',
        in: 'put-organization',
        notIn: ['list-incidents', 'get-incident'],
      },
      {
        message: 'inject ids must be unique',
        in: 'create-exercise',
        notIn: ['get-exercise', 'list-exercises'],
      },
      {
        message: 'name at least one sector, or all',
        in: 'issue-advisory',
        notIn: ['forward-advisory', 'share-incident', 'acknowledge-advisory'],
      },
    ];
    const code = (name: string) => readFileSync(join(bundleOf(name), 'index.mjs'), 'utf8');
    // Compared as booleans: a failure names the bundle instead of printing some 400 KB of it.
    for (const schema of schemas) {
      expect(code(schema.in).includes(schema.message), `${schema.in} carries "${schema.message}"`).toBe(true);
      for (const name of schema.notIn)
        expect(code(name).includes(schema.message), `${name} carries "${schema.message}"`).toBe(false);
    }
  });

  it('marks every module-level builtOnce call pure: esbuild 0.28 cannot tell from the declaration', () => {
    const sources = execFileSync('git', ['ls-files', 'events', 'functions'], { encoding: 'utf8' })
      .split('\n')
      .filter((f) => f.endsWith('.ts'));
    const calls = sources.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => /^(export )?const \w+ = .*builtOnce\(/.test(line))
        .map((line) => ({ file, line })),
    );
    expect(calls.length).toBeGreaterThanOrEqual(8);
    expect(calls.filter(({ line }) => !line.includes('= /* @__PURE__ */ builtOnce('))).toEqual([]);
  });

  it("carries only the environment's link of the SDK credential chain (functions/runtime/lambda-credentials.ts)", () => {
    // Debug messages of the SDK's default chain (@aws-sdk/credential-provider-node) and of its SSO link.
    const chain = ['defaultProvider::fromEnv', 'defaultProvider::fromSSO', 'Skipping SSO provider'];
    for (const spec of specs) {
      const code = readFileSync(join(bundleOf(spec.name), 'index.mjs'), 'utf8');
      for (const message of chain)
        expect(code.includes(message), `${spec.name} carries "${message}"`).toBe(false);
    }
  });
});

/** Headers that differ from run to run: the signature, its time, the SDK's invocation ids. */
const VOLATILE_HEADERS = new Set([
  'authorization',
  'x-amz-date',
  'amz-sdk-invocation-id',
  'amz-sdk-request',
  'user-agent',
  'x-amz-user-agent',
  'host',
]);

/** A stand-in for SES v2, SNS, S3 and DynamoDB: records each request and answers as the service would. */
async function recordingServices() {
  const requests: {
    method: string;
    url: string;
    target: string;
    headers: Record<string, string>;
    body: string;
  }[] = [];
  /** Each request's Authorization header, apart: a signature differs from run to run. */
  const authorizations: string[] = [];
  let sesCalls = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const target = String(req.headers['x-amz-target'] ?? '');
      const headers = Object.fromEntries(
        Object.entries(req.headers)
          .filter(([name]) => !VOLATILE_HEADERS.has(name))
          .map(([name, value]) => [name, String(value)]),
      );
      requests.push({ method: req.method ?? '', url: req.url ?? '', target, headers, body });
      authorizations.push(req.headers.authorization ?? '');
      const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(value));
      };
      if (req.url === '/v2/email/outbound-emails')
        return ++sesCalls === 1
          ? json(200, { MessageId: 'ses-1' })
          : json(
              400,
              { message: 'Email address is not verified.' },
              { 'x-amzn-errortype': 'MessageRejected' },
            );
      if (req.url?.startsWith('/checkpoints/')) {
        // S3 (REST-XML, header and query traits): a put, a get with metadata, a listing.
        if (req.method === 'PUT') {
          res.writeHead(200, { etag: '"e-1"', 'x-amz-version-id': 'v-1' });
          return res.end();
        }
        if (req.url.includes('list-type=2')) {
          res.writeHead(200, { 'content-type': 'application/xml' });
          return res.end(
            '<ListBucketResult><Name>checkpoints</Name><Prefix>cp/</Prefix><KeyCount>1</KeyCount><IsTruncated>false</IsTruncated><Contents><Key>cp/1.json</Key><Size>2</Size><ETag>"e-1"</ETag></Contents></ListBucketResult>',
          );
        }
        res.writeHead(200, { 'content-type': 'application/json', etag: '"e-1"', 'x-amz-meta-root': 'abc' });
        return res.end('{}');
      }
      if (target.endsWith('.GetItem')) return json(200, { Item: { pk: { S: 'x' }, n: { N: '7' } } });
      if (target.endsWith('.PutItem'))
        return json(400, {
          __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
          message: 'The conditional request failed',
        });
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(
        '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>sns-1</MessageId></PublishResult></PublishResponse>',
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, authorizations, close: () => server.close() };
}

/** Runs a bundle in a node of its own, away from node_modules, with Lambda's region and `env`. */
const runIsolated = (file: string, env: Record<string, string>) =>
  execFileAsync(process.execPath, [file], {
    cwd: dirname(file),
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      AWS_REGION: 'ap-northeast-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...env,
    },
  });

describe("a bundle's AWS calls", () => {
  it('are the same with the SDK schema modules rewritten (infra/sdk-schema-keys.ts), from smaller bundles', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ceptoar-schema-keys-'));
    scratch.push(dir);
    const contents = `import { MessageRejected, SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
      import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
      import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
      import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
      const s3 = new S3Client({ endpoint: process.env.ENDPOINT, forcePathStyle: true });
      const endpoint = process.env.ENDPOINT;
      const ses = new SESv2Client({ endpoint }), sns = new SNSClient({ endpoint }), ddb = new DynamoDBClient({ endpoint });
      const email = () => ses.send(new SendEmailCommand({ FromEmailAddress: 'a@example.com',
        Destination: { ToAddresses: ['b@example.com'] },
        Content: { Simple: { Subject: { Data: '件名', Charset: 'UTF-8' }, Body: { Text: { Data: 'body' } } } } }));
      const calls = [
        ['email', email],
        ['email rejected', async () => { try { await email(); } catch (e) { return { rejected: e instanceof MessageRejected, name: e.name }; } }],
        ['sms', () => sns.send(new PublishCommand({ PhoneNumber: '+819012345678', Message: 'm',
          MessageAttributes: { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' } } }))],
        ['get', () => ddb.send(new GetItemCommand({ TableName: 'events', Key: { pk: { S: 'x' } }, ConsistentRead: true }))],
        ['put', () => ddb.send(new PutItemCommand({ TableName: 'events', Item: { pk: { S: 'x' } }, ConditionExpression: 'attribute_not_exists(pk)' })).catch((e) => ({ name: e.name, message: e.message }))],
        ['s3 put', () => s3.send(new PutObjectCommand({ Bucket: 'checkpoints', Key: 'cp/1.json', Body: '{}', ContentType: 'application/json', Metadata: { root: 'abc' }, IfNoneMatch: '*' }))],
        ['s3 get', async () => { const { Body, ...rest } = await s3.send(new GetObjectCommand({ Bucket: 'checkpoints', Key: 'cp/1.json' })); return { ...rest, text: await Body.transformToString() }; }],
        ['s3 list', () => s3.send(new ListObjectsV2Command({ Bucket: 'checkpoints', Prefix: 'cp/', MaxKeys: 10 }))],
      ];
      const out = [];
      for (const [name, call] of calls) { const { $metadata, ...result } = (await call()) ?? {}; out.push([name, result]); }
      console.log(JSON.stringify(out));`;
    const runBundle = async (name: string, plugins: boolean) => {
      const file = join(dir, name, 'index.mjs');
      await houseBuild({
        absWorkingDir: process.cwd(),
        stdin: { contents, resolveDir: process.cwd(), loader: 'ts' },
        outfile: file,
        logLevel: 'silent',
        ...(plugins ? {} : { plugins: [] }),
      });
      const services = await recordingServices();
      try {
        const { stdout } = await runIsolated(file, {
          AWS_ACCESS_KEY_ID: 'ASIAEXECUTIONROLE',
          AWS_SECRET_ACCESS_KEY: 'secret',
          ENDPOINT: services.url,
        });
        return {
          code: readFileSync(file, 'utf8'),
          out: JSON.parse(stdout) as unknown,
          requests: services.requests,
        };
      } finally {
        services.close();
      }
    };
    const rewritten = await runBundle('rewritten', true);
    const asShipped = await runBundle('as-shipped', false);
    expect(rewritten.out).toEqual(asShipped.out);
    expect(rewritten.requests).toEqual(asShipped.requests);
    // What the calls gave: the stand-in's answers, parsed; an SES error typed; a condition's failure named.
    expect(rewritten.out).toEqual([
      ['email', { MessageId: 'ses-1' }],
      ['email rejected', { rejected: true, name: 'MessageRejected' }],
      ['sms', { MessageId: 'sns-1' }],
      ['get', { Item: { pk: { S: 'x' }, n: { N: '7' } } }],
      ['put', { name: 'ConditionalCheckFailedException', message: 'The conditional request failed' }],
      ['s3 put', { ETag: '"e-1"', VersionId: 'v-1' }],
      ['s3 get', { ContentType: 'application/json', ETag: '"e-1"', Metadata: { root: 'abc' }, text: '{}' }],
      [
        's3 list',
        {
          Contents: [{ ETag: '"e-1"', Key: 'cp/1.json', Size: 2 }],
          IsTruncated: false,
          KeyCount: 1,
          Name: 'checkpoints',
          Prefix: 'cp/',
        },
      ],
    ]);
    expect(rewritten.requests.map((r) => `${r.method} ${r.url} ${r.target}`)).toEqual([
      'POST /v2/email/outbound-emails ',
      'POST /v2/email/outbound-emails ',
      'POST / ',
      'POST / DynamoDB_20120810.GetItem',
      'POST / DynamoDB_20120810.PutItem',
      'PUT /checkpoints/cp/1.json?x-id=PutObject ',
      'GET /checkpoints/cp/1.json?x-id=GetObject ',
      'GET /checkpoints/?list-type=2&max-keys=10&prefix=cp%2F ',
    ]);
    // S3's header traits (metadata, a condition, the content type) reached the wire.
    expect(rewritten.requests[5]?.headers).toMatchObject({
      'x-amz-meta-root': 'abc',
      'if-none-match': '*',
      'content-type': 'application/json',
    });
    // An SES operation the script never calls is in the bundle as shipped only.
    expect(asShipped.code.includes('/v2/email/metrics/batch')).toBe(true);
    expect(rewritten.code.includes('/v2/email/metrics/batch')).toBe(false);
    expect(rewritten.code.length).toBeLessThan(asShipped.code.length - 40_000);
    // And the CDK app's build (a child node: infra/house-build.ts) applies it: the deliverer sends e-mail only.
    const deliverer = readFileSync(join(bundleOf('deliver-notification'), 'index.mjs'), 'utf8');
    expect(deliverer.includes('/v2/email/outbound-emails')).toBe(true);
    expect(deliverer.includes('/v2/email/metrics/batch')).toBe(false);
  });

  it("sign with the execution role's variables Lambda sets, and fail clearly without them", async () => {
    // A bare client bundled with the house options (the alias included), run away from node_modules.
    const dir = mkdtempSync(join(tmpdir(), 'ceptoar-credentials-'));
    scratch.push(dir);
    await houseBuild({
      absWorkingDir: process.cwd(),
      stdin: {
        contents: `import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
          const client = new DynamoDBClient({ endpoint: process.env.ENDPOINT });
          try {
            await client.send(new GetItemCommand({ TableName: 'events', Key: { pk: { S: 'x' }, sk: { N: '0' } } }));
            console.log('answered');
          } catch (error) { console.log(String(error)); }`,
        resolveDir: process.cwd(),
        loader: 'ts',
      },
      outfile: join(dir, 'index.mjs'),
      logLevel: 'silent',
    });
    const endpoint = await recordingServices();
    try {
      const run = (credentials: Record<string, string>) =>
        runIsolated(join(dir, 'index.mjs'), {
          ENDPOINT: endpoint.url,
          // Where the whole chain would look next: a profile file. The bundle must not read it.
          HOME: dir,
          ...credentials,
        });
      const signed = await run({
        AWS_ACCESS_KEY_ID: 'ASIAEXECUTIONROLE',
        AWS_SECRET_ACCESS_KEY: 'secret',
        AWS_SESSION_TOKEN: 'token',
      });
      expect(signed.stdout.trim()).toBe('answered');
      expect(endpoint.authorizations).toHaveLength(1);
      expect(endpoint.authorizations[0]).toContain('Credential=ASIAEXECUTIONROLE/');
      writeFileSync(
        join(dir, '.aws-credentials'),
        '[default]\naws_access_key_id=FROMFILE\naws_secret_access_key=s\n',
      );
      const unsigned = await run({ AWS_SHARED_CREDENTIALS_FILE: join(dir, '.aws-credentials') });
      expect(unsigned.stdout).toContain('Unable to find environment variable credentials');
      expect(endpoint.authorizations).toHaveLength(1);
    } finally {
      endpoint.close();
    }
  });
});
