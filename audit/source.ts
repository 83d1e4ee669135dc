import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Checkpoint } from '../events/audit/checkpoint.ts';
import type { HeadLeaf } from '../events/audit/merkle.ts';
import type { InclusionProof } from '../events/audit/types.ts';
import type { SectorId } from '../events/sector/catalog.ts';
import {
  type CheckpointArchive,
  type CheckpointSigner,
  latestCheckpoint,
  publishCheckpoint,
} from '../functions/audit/audit-checkpoints.ts';
import { type HeadEntry, listAllHeads, periodEvents, streamEvents } from '../functions/audit/audit-log.ts';
import type { StoredEvent } from '../functions/store/event-store.ts';
import { issueLocalToken } from '../local/auth.ts';

/**
 * Where the auditor CLI reads the log: the local stack's audit API, or the table and the
 * checkpoint archive directly (AWS with the caller's credentials, or DynamoDB Local). The
 * CLI trusts none of it: it verifies chains and proofs itself, against a public key it pins.
 */
export interface AuditSource {
  heads(): Promise<HeadEntry[]>;
  streamEvents(streamId: string): AsyncIterable<StoredEvent>;
  /** Every event recorded in the period, in recorded order across streams. */
  periodEvents(from: string, to: string): AsyncIterable<StoredEvent>;
  /**
   * The newest checkpoint and its leaves; from a source limited to some sectors, those sectors'
   * leaves only, with `proofs` (each leaf's path to the signed root) since they cannot rebuild it.
   */
  latestCheckpoint(): Promise<{
    checkpoint: Checkpoint;
    leaves: HeadLeaf[];
    proofs?: InclusionProof[];
  } | null>;
  /** Publishes a checkpoint now, so that an export is anchored up to this moment. */
  publishCheckpoint(): Promise<Checkpoint>;
  /** The public key checkpoints must verify under: pinned from outside the running system. */
  publicKeyPem(): Promise<string | undefined>;
}

/** Reads the table and the archive directly. */
export class DirectSource implements AuditSource {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly archive: CheckpointArchive,
    private readonly signer: CheckpointSigner | undefined,
    private readonly pinnedKey: () => Promise<string | undefined>,
  ) {}

  heads() {
    return listAllHeads(this.client, this.table);
  }

  streamEvents(streamId: string) {
    return streamEvents(this.client, this.table, streamId);
  }

  periodEvents(from: string, to: string): AsyncIterable<StoredEvent> {
    return periodEvents(this.client, this.table, from, to);
  }

  latestCheckpoint() {
    return latestCheckpoint(this.archive);
  }

  async publishCheckpoint(): Promise<Checkpoint> {
    if (!this.signer) throw new Error('this source cannot sign checkpoints');
    return publishCheckpoint({
      heads: await this.heads(),
      signer: this.signer,
      archive: this.archive,
      now: new Date().toISOString(),
    });
  }

  publicKeyPem() {
    return this.pinnedKey();
  }
}

/** An HTTP error from the audit API, with its problem detail. */
export class AuditApiError extends Error {
  constructor(
    readonly status: number,
    detail: string,
  ) {
    super(`audit API answered ${status}: ${detail}`);
    this.name = 'AuditApiError';
  }
}

/** How many times a request refused with 429 is sent again (see ApiSource's `get`). */
export const RETRIES_ON_429 = 30;

/** The local stack's audit API, with an auditor token minted from its data folder. */
export class ApiSource implements AuditSource {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly pinnedKey: string | undefined,
    /** Heads and checkpoint leaves asked for a page; the API's own default when undefined (tests page by less). */
    private readonly pageLimit?: number,
  ) {}

  /**
   * The source for the stack `npm start` runs with this environment (PORT, CEPTOAR_DATA_DIR): an
   * auditor of every sector, or of `sector` alone (what the audit API then answers is that sector's).
   */
  static async local(
    env: NodeJS.ProcessEnv = process.env,
    sector?: SectorId,
    pageLimit?: number,
  ): Promise<ApiSource> {
    const dataDir = resolve(env.CEPTOAR_DATA_DIR ?? '.data');
    const keyFile = join(dataDir, 'local-token.key');
    if (!existsSync(keyFile))
      throw new Error(`no local stack data in ${dataDir} (set CEPTOAR_DATA_DIR as for npm start)`);
    const key = Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64');
    const token = await issueLocalToken(key, {
      role: 'auditor',
      sub: 'audit-cli',
      ...(sector ? { sector } : {}),
    });
    const pubFile = join(dataDir, 'checkpoint-key.pub.pem');
    const pinned = existsSync(pubFile) ? readFileSync(pubFile, 'utf8') : undefined;
    return new ApiSource(`http://127.0.0.1:${env.PORT ?? 3000}`, token, pinned, pageLimit);
  }

  /**
   * One request. A 429 (the stack's rate limits, README "Rate limits": an auditor's CLI is one caller)
   * is sent again after the Retry-After it names, up to {@link RETRIES_ON_429} times: a refused request
   * wrote nothing, and a `verify --live` of a few hundred streams asks faster than a caller's 10 a second.
   */
  private async get(path: string, init: RequestInit = {}): Promise<Response> {
    let response: Response;
    for (let attempt = 0; ; attempt++) {
      response = await fetch(`${this.baseUrl}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${this.token}`, ...init.headers },
      });
      if (response.status !== 429 || attempt >= RETRIES_ON_429) break;
      await response.body?.cancel();
      const seconds = Number(response.headers.get('retry-after'));
      await sleep(Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 60) * 1000 : 1000);
    }
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as { detail?: string };
      throw new AuditApiError(response.status, body.detail ?? response.statusText);
    }
    return response;
  }

  async heads(): Promise<HeadEntry[]> {
    const heads: HeadEntry[] = [];
    const limit = String(this.pageLimit ?? 20_000);
    for await (const items of pages(async (cursor) => {
      const query = new URLSearchParams({ limit, ...(cursor ? { cursor } : {}) });
      const page = (await (await this.get(`/audit/heads?${query}`)).json()) as {
        items: HeadEntry[];
        cursor: string | null;
      };
      return { value: page.items, cursor: page.cursor };
    }))
      heads.push(...items);
    return heads;
  }

  async *streamEvents(streamId: string): AsyncIterable<StoredEvent> {
    const body = (await (await this.get(`/audit/streams/${encodeURIComponent(streamId)}`)).json()) as {
      events: StoredEvent[];
    };
    yield* body.events;
  }

  async *periodEvents(from: string, to: string): AsyncIterable<StoredEvent> {
    for await (const text of pages(async (cursor) => {
      const query = new URLSearchParams({ from, to, ...(cursor ? { cursor } : {}) });
      const response = await this.get(`/audit/events?${query}`, {
        headers: { accept: 'application/x-ndjson' },
      });
      return { value: await response.text(), cursor: response.headers.get('x-next-cursor') };
    }))
      for (const line of text.split('\n')) if (line) yield JSON.parse(line) as StoredEvent;
  }

  async latestCheckpoint() {
    type Page = {
      checkpoint: Checkpoint;
      leaves: HeadLeaf[];
      proofs?: InclusionProof[];
      cursor: string | null;
    };
    try {
      const query = (cursor: string | null) =>
        new URLSearchParams({
          ...(this.pageLimit ? { limit: String(this.pageLimit) } : {}),
          ...(cursor ? { cursor } : {}),
        }).toString();
      let first: Page | undefined;
      const leaves: HeadLeaf[] = [];
      const proofs: InclusionProof[] = [];
      for await (const page of pages(async (cursor) => {
        // The next pages by the checkpoint's id: `latest` may be a newer checkpoint by then.
        const id = first ? encodeURIComponent(first.checkpoint.id) : 'latest';
        const page = (await (await this.get(`/audit/checkpoints/${id}?${query(cursor)}`)).json()) as Page;
        return { value: page, cursor: page.cursor };
      })) {
        first ??= page;
        leaves.push(...page.leaves);
        proofs.push(...(page.proofs ?? []));
      }
      if (!first) throw new Error('unreachable: pages() yields at least one page');
      return { checkpoint: first.checkpoint, leaves, ...(first.proofs ? { proofs } : {}) };
    } catch (error) {
      if (error instanceof AuditApiError && error.status === 404) return null;
      throw error;
    }
  }

  async publishCheckpoint(): Promise<Checkpoint> {
    return (await (await this.get('/audit/checkpoints', { method: 'POST' })).json()) as Checkpoint;
  }

  async publicKeyPem() {
    return this.pinnedKey;
  }
}

/** Every page of a paged read, first to last: `read(cursor)` (null for the first page) until a page names no next cursor. */
async function* pages<T>(
  read: (cursor: string | null) => Promise<{ value: T; cursor: string | null }>,
): AsyncIterable<T> {
  let cursor: string | null = null;
  do {
    const page = await read(cursor);
    yield page.value;
    cursor = page.cursor;
  } while (cursor);
}
