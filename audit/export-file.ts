import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { canonicalJson, type HashedContent, hashedContent } from '../events/audit/canonical.ts';
import type { Checkpoint } from '../events/audit/checkpoint.ts';
import type { ChainedEvent, InclusionProof } from '../events/audit/verify.ts';
import { inclusionProofs } from '../functions/audit/audit-checkpoints.ts';
import type { StoredEvent } from '../functions/store/event-store.ts';
import type { Progress } from './progress.ts';
import type { AuditSource } from './source.ts';

/**
 * The export file: NDJSON, one record per line, so it is written and read as a stream.
 *   {"kind":"header", format, from, to, exportedAt, publicKey}
 *   {"kind":"checkpoint", ...signed checkpoint}
 *   per stream: {"kind":"stream", streamId, head, proof} then its events
 *   {"kind":"event","hash":"<hex>","content":<the RFC 8785 canonical JSON the hash covers>}
 * Each stream with an event in the period is exported whole (from version 1), so its chain
 * can be checked from the start and against the checkpoint's proof. An event's content is
 * written byte for byte as hashed, so a verifier hashes those bytes without re-encoding
 * them: SHA-256 binds them, and every field it checks (stream, version, prevHash) is read
 * from them.
 */
export const EXPORT_FORMAT = 'ceptoar-audit-export/1';

/** A record as a reader sees it: events flattened to their content plus their hash. */
export type ExportRecord =
  | { kind: 'header'; format: string; from: string; to: string; exportedAt: string; publicKey: string | null }
  | ({ kind: 'checkpoint' } & Checkpoint)
  | {
      kind: 'stream';
      streamId: string;
      head: { version: number; hash: string } | null;
      proof: InclusionProof | null;
    }
  | ({ kind: 'event' } & ChainedEvent);

/** Writes lines with backpressure. */
export class LineWriter {
  private readonly out: WriteStream;
  constructor(path: string) {
    this.out = createWriteStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  }
  async write(record: ExportRecord): Promise<void> {
    await this.writeLine(record.kind === 'event' ? eventLine(record) : JSON.stringify(record));
  }
  async writeLine(line: string): Promise<void> {
    if (!this.out.write(`${line}\n`)) await once(this.out, 'drain');
  }
  async close(): Promise<void> {
    await new Promise<void>((resolve, reject) =>
      this.out.end((e?: Error | null) => (e ? reject(e) : resolve())),
    );
  }
}

/** The start of every hashed event line, before the 64 hex digits of its hash. */
export const EVENT_LINE_HEAD = '{"kind":"event","hash":"';
/** Between the hash and the canonical content. */
export const EVENT_LINE_MID = '","content":';

/** An event's line: its hash, then the canonical JSON of exactly what the hash covers. */
export function eventLine(e: ChainedEvent): string {
  // The hashed fields exactly as the hash covers them (an absent prevHash is left out either way).
  const content = canonicalJson(hashedContent(e as HashedContent));
  return e.hash && /^[0-9a-f]{64}$/.test(e.hash)
    ? `${EVENT_LINE_HEAD}${e.hash}${EVENT_LINE_MID}${content}}`
    : `{"kind":"event","hash":null,"content":${content}}`;
}

/** One line of an export as its record (an event's content flattened beside its hash); `where` names it in errors. */
export function parseExportLine(line: string, where: string): ExportRecord {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new Error(`${where}: not a JSON line`);
  }
  if (record.kind !== 'event') return record as ExportRecord;
  const content = (record.content ?? {}) as Omit<ChainedEvent, 'hash'>;
  return { kind: 'event', ...content, hash: typeof record.hash === 'string' ? record.hash : undefined };
}

/** The event record of a stored event. */
export const eventRecord = (e: StoredEvent): ExportRecord => ({ kind: 'event', ...e });

/** Exports the streams touched in [from, to] with a fresh checkpoint (unless told not to) and their proofs. */
export async function exportLog(
  source: AuditSource,
  options: { from: string; to: string; out: string; newCheckpoint: boolean; progress?: Progress },
): Promise<{ streams: number; events: number; checkpoint: string | null }> {
  if (options.newCheckpoint) await source.publishCheckpoint();
  const latest = await source.latestCheckpoint();
  const touched = new Set<string>();
  for await (const e of source.periodEvents(options.from, options.to)) touched.add(e.streamId);
  const ids = [...touched].sort();
  const heads = new Map((await source.heads()).map((h) => [h.streamId, h]));
  // A source limited to some sectors has only its leaves: it hands over their proofs instead.
  const proofs = latest?.proofs
    ? new Map(latest.proofs.map((p) => [p.streamId, p]))
    : latest
      ? inclusionProofs(latest.checkpoint, latest.leaves, touched)
      : new Map();
  const out = new LineWriter(options.out);
  await out.write({
    kind: 'header',
    format: EXPORT_FORMAT,
    from: options.from,
    to: options.to,
    exportedAt: new Date().toISOString(),
    publicKey: (await source.publicKeyPem()) ?? null,
  });
  if (latest) await out.write({ kind: 'checkpoint', ...latest.checkpoint });
  options.progress?.start(ids.length, 'streams');
  let events = 0;
  for (const streamId of ids) {
    const head = heads.get(streamId);
    await out.write({
      kind: 'stream',
      streamId,
      head: head ? { version: head.version, hash: head.hash } : null,
      proof: proofs.get(streamId) ?? null,
    });
    for await (const e of source.streamEvents(streamId)) {
      await out.write(eventRecord(e));
      events++;
    }
    options.progress?.increment();
  }
  options.progress?.stop();
  await out.close();
  return { streams: ids.length, events, checkpoint: latest?.checkpoint.id ?? null };
}

/** Reads an export file record by record; memory stays flat whatever its size. */
export async function* readExport(path: string): AsyncIterable<ExportRecord> {
  const lines = createInterface({
    input: createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 }),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line === '') continue;
    yield parseExportLine(line, `${path}:${n}`);
  }
}

/** One stream's events from an export file (the file is grouped by stream, so reading stops after it). */
export async function* streamFromExport(path: string, streamId: string): AsyncIterable<StoredEvent> {
  let seen = false;
  for await (const r of readExport(path)) {
    if (r.kind === 'stream') {
      if (seen) return;
      seen = r.streamId === streamId;
    } else if (r.kind === 'event' && seen) {
      yield r as unknown as StoredEvent;
    }
  }
}

/** Every stream of an export file, one at a time, with its events. */
export async function* streamsOfExport(
  path: string,
): AsyncIterable<{ streamId: string; events: StoredEvent[] }> {
  let current: { streamId: string; events: StoredEvent[] } | undefined;
  for await (const r of readExport(path)) {
    if (r.kind === 'stream') {
      if (current) yield current;
      current = { streamId: r.streamId, events: [] };
    } else if (r.kind === 'event' && current) {
      current.events.push(r as unknown as StoredEvent);
    }
  }
  if (current) yield current;
}
