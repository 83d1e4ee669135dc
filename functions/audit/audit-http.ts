import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { STREAM_ID } from '../../events/audit/types.ts';
import { ValidationError } from '../../events/errors.ts';
import { isCalendarDate } from '../../events/fields.ts';
import type { StoredEvent } from '../store/event-store.ts';

/** The DynamoDB client of the audit reads (read-only: Query and GetItem). */
export const auditClient = new DynamoDBClient({});

/** An ISO 8601 instant from a query parameter, normalised to `toISOString()`; `fallback` when absent. */
export function instantParam(raw: string | undefined, name: string, fallback?: string): string {
  if (raw === undefined || raw === '') {
    if (fallback !== undefined) return fallback;
    throw new ValidationError(`${name} is required (an ISO 8601 time)`, [
      { path: name, message: 'required' },
    ]);
  }
  // A date alone, or a date-time with an explicit zone: never a zone-less local time.
  const ok = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(raw);
  const t = Date.parse(raw);
  // Date.parse rolls an impossible day over (2026-02-30 is 2 March) and reads 24:00 as the next day.
  if (!ok || Number.isNaN(t) || !isCalendarDate(raw) || /T24:/.test(raw)) {
    throw new ValidationError(
      `${name} must be an ISO 8601 time with a zone, such as 2026-11-26T09:00:00+09:00`,
      [{ path: name, message: 'not an ISO 8601 time' }],
    );
  }
  return new Date(t).toISOString();
}

/** A stream id (`incident#<uuid>`) from a path or query parameter. */
export function streamIdParam(raw: string | undefined, name: string): string {
  if (raw === undefined || !STREAM_ID.test(raw))
    throw new ValidationError(`${name} must be a stream id such as incident#<uuid>`, [
      { path: name, message: raw === undefined ? 'required' : 'invalid' },
    ]);
  return raw;
}

/** An event as the audit API and exports show it: everything stored, hashes included, nothing redacted. */
export const auditEventView = (e: StoredEvent) => ({
  streamId: e.streamId,
  version: e.version,
  type: e.type,
  recordedAt: e.recordedAt,
  actor: e.actor,
  schemaVersion: e.schemaVersion,
  data: e.data,
  prevHash: e.prevHash ?? null,
  hash: e.hash ?? null,
});
