import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { Report } from '../../events/incident/report.ts';
import { PORT_DEFAULTS } from '../../local/ports.ts';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../local/stack.ts';
import { RANSOMWARE_REPORT, VPN_ADVISORY } from './fixtures.ts';

/** A fresh data folder for one test file's local stack. */
export const tempDataDir = (prefix = 'ceptoar-test-') => mkdtempSync(join(tmpdir(), prefix));

/**
/**
 * The environment of `npm start` run by a test: its data folder and API port, time scale 3600, and
 * every other stand-in on a free port (never the fixed defaults: test files run in parallel).
 */
export function npmStartEnv(dataDir: string, port: number, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const ephemeral = Object.values(PORT_DEFAULTS).map(({ variable }) => [variable, '0']);
  return {
    ...process.env,
    ...Object.fromEntries(ephemeral),
    PORT: String(port),
    CEPTOAR_DATA_DIR: dataDir,
    CEPTOAR_TIME_SCALE: '3600',
    ...extra,
  };
}

/**
 * Starts the whole local stack for a test file (its own data folder, a free port, quiet), on the state
 * machines the run synthesized once. Rate limits are off unless the file sets them: tests drive one
 * caller faster than a person would.
 *
 * Its table lives in the run's one DynamoDB Local (test/support/global-setup.ts) under an access key of
 * its own, which that JVM (no -sharedDb) keeps as a database of its own: a JVM start and its warm-up
 * per file cost more than anything else a stack start does. A file that brings a data folder (`dataDir`)
 * or kills DynamoDB Local (`ownDynamo`) gets a JVM of its own, with its files in the data folder.
 */
export async function startTestStack(
  options: Partial<LocalStackOptions> & { readonly ownDynamo?: boolean } = {},
): Promise<LocalStack> {
  const { ownDynamo = false, ...rest } = options;
  const shared =
    ownDynamo || rest.dataDir !== undefined
      ? undefined
      : { endpoint: inject('dynamoEndpoint'), accessKeyId: `stack${randomBytes(8).toString('hex')}` };
  return startLocalStack({
    dataDir: tempDataDir(),
    port: 0,
    timeScale: 3600,
    quiet: true,
    rateLimits: 'off',
    // Synthesized once for the run (test/support/synth-setup.ts).
    stateMachines: inject('stateMachines'),
    stateMachinesValidated: true,
    ...(shared ? { dynamo: shared } : {}),
    ...rest,
  });
}

// biome-ignore lint/suspicious/noExplicitAny: tests read responses field by field, as a curl user would.
type Json = any;

export interface ApiResponse<T = Json> {
  status: number;
  headers: Headers;
  body: T;
}

/** A thin HTTP client over the local API, as a user with curl would see it. */
export function apiClient(baseUrl: string) {
  async function call<T = Json>(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse<T>> {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.body !== undefined || options.raw !== undefined
          ? { 'content-type': 'application/json' }
          : {}),
        ...options.headers,
      },
      ...(options.raw !== undefined
        ? { body: options.raw }
        : options.body !== undefined
          ? { body: JSON.stringify(options.body) }
          : {}),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, headers: res.headers, body: body as T };
  }
  const tokens = new Map<string, string>();
  return {
    call,
    async token(role: string, org?: string, sub?: string): Promise<string> {
      const key = `${role}/${org ?? ''}/${sub ?? ''}`;
      const cached = tokens.get(key);
      if (cached) return cached;
      const res = await call<{ token: string }>('POST', '/local/token', {
        body: { role, ...(org ? { org } : {}), ...(sub ? { sub } : {}) },
      });
      if (res.status !== 200) throw new Error(`token: ${res.status} ${JSON.stringify(res.body)}`);
      tokens.set(key, res.body.token);
      return res.body.token;
    },
    async report(org = 'asahi-petrochem', report: Partial<Report> = {}): Promise<string> {
      const res = await call<{ id: string }>('POST', '/incidents', {
        token: await this.token('member', org),
        body: { ...RANSOMWARE_REPORT, severity: 'low', ...report },
      });
      if (res.status !== 201) throw new Error(`report: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.id;
    },
    /** POST /advisories as `role`: {@link VPN_ADVISORY} with `body` over it; the new id. */
    async advisory(role: string, body: Record<string, unknown> = {}): Promise<string> {
      const res = await call<{ id: string }>('POST', '/advisories', {
        token: await this.token(role),
        body: { ...VPN_ADVISORY, ...body },
      });
      if (res.status !== 201) throw new Error(`advisory: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.id;
    },
    async events(
      id: string,
    ): Promise<{ version: number; type: string; data: Json; actor: Json; recordedAt: string }[]> {
      const res = await call('GET', `/incidents/${id}/events?limit=1000`, {
        token: await this.token('auditor'),
      });
      return res.body.items;
    },
  };
}

export { eventually } from './eventually.ts';

/** `POST /local/token` with any request body, each distinct body minted once per test file. */
export function localTokens(api: ReturnType<typeof apiClient>) {
  const tokens = new Map<string, string>();
  return async (body: Record<string, string>): Promise<string> => {
    const key = JSON.stringify(body);
    const cached = tokens.get(key);
    if (cached) return cached;
    const res = await api.call<{ token: string }>('POST', '/local/token', { body });
    if (res.status !== 200) throw new Error(`token ${key}: ${res.status} ${JSON.stringify(res.body)}`);
    tokens.set(key, res.body.token);
    return res.body.token;
  };
}
