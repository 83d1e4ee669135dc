import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { isBuiltin } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FunctionSpec, functions } from '../functions/manifest.ts';
import { buildApp, STACK_ID } from '../infra/app.ts';
import { HOUSE_ESBUILD_OPTIONS } from '../infra/bundling.ts';

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
      expect(JSON.parse(readFileSync(join(bundleOf(name), 'index.mjs.map'), 'utf8'))).toHaveProperty(
        'mappings',
      );
    },
  );

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
    expect(JSON.parse(output)).toEqual([['tablesXlsx'], ['lambdaChromium']]);
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

describe("a bundle's AWS calls", () => {
  /** A stand-in for DynamoDB that records each request's Authorization header and answers an empty item. */
  async function recordingEndpoint() {
    const authorizations: string[] = [];
    const server = createServer((req, res) => {
      authorizations.push(req.headers.authorization ?? '');
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, authorizations, close: () => server.close() };
  }

  it("sign with the execution role's variables Lambda sets, and fail clearly without them", async () => {
    // A bare client bundled with the house options (the alias included), run away from node_modules.
    const dir = mkdtempSync(join(tmpdir(), 'ceptoar-credentials-'));
    scratch.push(dir);
    await build({
      ...HOUSE_ESBUILD_OPTIONS,
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
    const endpoint = await recordingEndpoint();
    try {
      const run = (credentials: Record<string, string>) =>
        execFileAsync(process.execPath, [join(dir, 'index.mjs')], {
          cwd: dir,
          encoding: 'utf8',
          env: {
            PATH: process.env.PATH,
            AWS_REGION: 'ap-northeast-1',
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
            ENDPOINT: endpoint.url,
            // Where the whole chain would look next: a profile file. The bundle must not read it.
            HOME: dir,
            ...credentials,
          },
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
