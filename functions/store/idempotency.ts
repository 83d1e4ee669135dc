import { createHash } from 'node:crypto';
import { IdempotencyKeyReusedError } from '../../events/errors.ts';
import { type EventStore, type IdempotencyRecord, IdempotencyRecordExistsError } from './event-store.ts';

type Response = IdempotencyRecord['response'];

/** JSON with object keys sorted, so the same body hashes the same however it was written. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Hash of what makes two requests "the same": route, target and body. */
export const requestHash = (route: string, body: unknown): string =>
  createHash('sha256').update(route).update('\n').update(stableJson(body)).digest('base64url');

function replayOrReject(record: IdempotencyRecord, hash: string): Response & { replayed: true } {
  if (record.requestHash !== hash) {
    throw new IdempotencyKeyReusedError('this Idempotency-Key was already used with a different request');
  }
  return { ...record.response, replayed: true };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs a command at most once per (caller, Idempotency-Key). The record is written by the
 * command's own append (same transaction), so a retry either finds it and gets the first
 * response back, or races the first attempt and loses at the record's condition.
 */
export async function once(
  store: EventStore,
  options: { scope: string; key: string | undefined; hash: string },
  run: (idempotency: { key: string; requestHash: string } | undefined) => Promise<Response>,
): Promise<Response & { replayed?: true }> {
  if (options.key === undefined) return run(undefined);
  const key = `${options.scope}#${options.key}`;
  for (let attempt = 0; attempt < 3; attempt++) {
    const existing = await store.getIdempotencyRecord(key);
    if (existing) return replayOrReject(existing, options.hash);
    try {
      return await run({ key, requestHash: options.hash });
    } catch (error) {
      if (!(error instanceof IdempotencyRecordExistsError)) throw error;
      // Another attempt with this key is committing: wait for its record.
      for (let i = 0; i < 40; i++) {
        const record = await store.getIdempotencyRecord(key);
        if (record) return replayOrReject(record, options.hash);
        await sleep(25);
      }
    }
  }
  throw new Error(`idempotency key ${key} stayed contended`);
}
