import { hash as cryptoHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Checkpoint } from '../events/audit/checkpoint.ts';
import { type ChainedEvent, type Failure, LogVerifier } from '../events/audit/verify.ts';
import {
  EVENT_LINE_HEAD,
  EVENT_LINE_MID,
  EXPORT_FORMAT,
  type ExportRecord,
  parseExportLine,
} from './export-file.ts';
import type { Progress } from './progress.ts';
import type { VerifyOutcome } from './verify-run.ts';

/**
 * Verifies an export file as a stream, never holding more than a read buffer: on several
 * threads for a large file, each taking a byte range cut at stream boundaries (streams are
 * independent; only the checkpoints at the top are shared).
 */

/** The lines of a byte range, each with the offset it starts at. */
async function* lines(path: string, start = 0): AsyncIterable<{ line: Buffer; offset: number }> {
  let carry: Buffer | null = null;
  let base = start;
  for await (const chunk of createReadStream(path, {
    start,
    highWaterMark: 1 << 22,
  }) as AsyncIterable<Buffer>) {
    const buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    let from = 0;
    for (let nl = buf.indexOf(0x0a, from); nl !== -1; nl = buf.indexOf(0x0a, from)) {
      if (nl > from) yield { line: buf.subarray(from, nl), offset: base + from };
      from = nl + 1;
    }
    carry = from < buf.length ? Buffer.from(buf.subarray(from)) : null;
    base += from;
  }
  if (carry && carry.length > 0) yield { line: carry, offset: base };
}

const HEAD = Buffer.from(EVENT_LINE_HEAD);
const MID = Buffer.from(EVENT_LINE_MID);
const CONTENT_AT = HEAD.length + 64 + MID.length;
const STREAM_LINE = Buffer.from('{"kind":"stream"');

const PREV = Buffer.from('"prevHash":"');
const STREAM = Buffer.from('"streamId":"');
const VERSION = Buffer.from('"version":');

/**
 * The fields the chain needs, read straight from canonical content: its top-level keys come
 * sorted (…, data, prevHash, recordedAt, schemaVersion, streamId, type, version), so each is
 * the last occurrence of its key; a quote inside a string is always escaped, so no value can
 * fake one. Content that is not canonical cannot match an anchored hash anyway.
 */
function chainFields(
  content: Buffer,
): { streamId: string; version: number; prevHash: string | undefined } | null {
  const v = content.lastIndexOf(VERSION);
  const s = content.lastIndexOf(STREAM, v);
  if (v < 0 || s < 0) return null;
  const sEnd = content.indexOf(0x22, s + STREAM.length);
  const version = Number(content.toString('latin1', v + VERSION.length, content.length - 1));
  if (sEnd < 0 || !Number.isInteger(version)) return null;
  const p = content.lastIndexOf(PREV, s);
  return {
    streamId: content.toString('utf8', s + STREAM.length, sEnd),
    version,
    prevHash: p < 0 ? undefined : content.toString('latin1', p + PREV.length, p + PREV.length + 64),
  };
}

/**
 * An event line in the canonical layout: its hash, and its content's bytes hashed as they
 * are (no re-encoding); the fields the chain needs are read from those same bytes.
 */
function fastEvent(line: Buffer): { event: ChainedEvent; recomputed: string } | null {
  if (line.length <= CONTENT_AT + 1 || line[line.length - 1] !== 0x7d) return null;
  if (line.compare(HEAD, 0, HEAD.length, 0, HEAD.length) !== 0) return null;
  if (line.compare(MID, 0, MID.length, HEAD.length + 64, CONTENT_AT) !== 0) return null;
  const content = line.subarray(CONTENT_AT, line.length - 1);
  const fields = chainFields(content);
  if (!fields) return null;
  const hash = line.toString('latin1', HEAD.length, HEAD.length + 64);
  // Only the chain's fields are read; the rest of the content is bound by the hash alone.
  const event = { ...fields, type: '', data: null, recordedAt: '', actor: null, schemaVersion: 0, hash };
  return { event, recomputed: cryptoHash('sha256', content, 'hex') };
}

const parseRecord = (line: Buffer, path: string, offset: number): ExportRecord =>
  parseExportLine(line.toString('utf8'), `${path} at byte ${offset}`);

/** What the top of a file holds: the header's key and the checkpoints, and where the streams begin. */
interface Preamble {
  publicKeyPem: string | undefined;
  keySource: VerifyOutcome['keySource'];
  checkpoints: Checkpoint[];
  streamsAt: number;
}

async function readPreamble(path: string, pinned: string | undefined): Promise<Preamble> {
  const preamble: Preamble = {
    publicKeyPem: pinned,
    keySource: pinned ? 'pinned' : 'none',
    checkpoints: [],
    streamsAt: -1,
  };
  let first = true;
  for await (const { line, offset } of lines(path)) {
    const record = parseRecord(line, path, offset);
    if (first) {
      if (record.kind !== 'header' || record.format !== EXPORT_FORMAT)
        throw new Error(`${path}: not a ${EXPORT_FORMAT} file (the first line must be its header)`);
      if (!pinned && record.publicKey) {
        preamble.publicKeyPem = record.publicKey;
        preamble.keySource = 'export';
      }
      first = false;
    } else if (record.kind === 'checkpoint') {
      const { kind: _kind, ...checkpoint } = record;
      preamble.checkpoints.push(checkpoint as Checkpoint);
    } else {
      preamble.streamsAt = offset;
      break;
    }
  }
  return preamble;
}

/** What one range's verification found. */
export interface RangeResult {
  streams: number;
  events: number;
  anchored: number;
  failures: Failure[];
}

/**
 * Verifies the streams that start in [start, end): the first stream line at or after
 * `start`, up to the first stream line at or after `end`. Checkpoint signature failures are
 * the caller's to report (each range checks them again only to know which it may trust).
 */
export async function verifyRange(
  path: string,
  preamble: Pick<Preamble, 'publicKeyPem' | 'checkpoints'>,
  start: number,
  end: number,
  /** Told the bytes read since it was last told, every 10,000 events. */
  onBytes?: (n: number) => void,
): Promise<RangeResult> {
  const verifier = new LogVerifier(preamble.publicKeyPem);
  for (const c of preamble.checkpoints) verifier.checkpoint(c);
  let head: { version: number; hash: string } | null = null;
  let streamId: string | undefined;
  let started = false;
  let n = 0;
  let reported = start;
  let last = start;
  for await (const { line, offset } of lines(path, start)) {
    last = offset + line.length + 1;
    const fast = fastEvent(line);
    if (fast) {
      if (!started) continue;
      if (fast.event.streamId !== streamId) verifier.misplaced(fast.event, streamId);
      else verifier.event(fast.event, fast.recomputed);
      // Progress every 10,000 events: reporting each one would cost more than verifying it.
      if (++n % 10_000 === 0) {
        onBytes?.(offset - reported);
        reported = offset;
      }
      continue;
    }
    const isStream = line.compare(STREAM_LINE, 0, STREAM_LINE.length, 0, STREAM_LINE.length) === 0;
    if (isStream && offset >= end) break;
    if (!started) {
      if (!isStream) continue;
      started = true;
    }
    const record = parseRecord(line, path, offset);
    switch (record.kind) {
      case 'stream':
        if (head) verifier.endStream();
        head = record.head;
        streamId = record.streamId;
        verifier.beginStream(record.streamId, record.proof ?? undefined, head ?? undefined);
        break;
      case 'event':
        // Not in the canonical layout (an unhashed event, or a hand-edited line): checked field by field.
        if (record.streamId !== streamId) verifier.misplaced(record, streamId);
        else verifier.event(record);
        n++;
        break;
      case 'header':
      case 'checkpoint':
        throw new Error(`${path} at byte ${offset}: a ${record.kind} line among the streams`);
      default: {
        const _never: never = record;
        throw new Error(`unknown record ${JSON.stringify(_never)}`);
      }
    }
  }
  if (head) verifier.endStream();
  onBytes?.(Math.max(0, last - reported));
  const report = verifier.report();
  return {
    streams: report.streams,
    events: report.events,
    anchored: report.anchored,
    failures: report.failures.filter((f) => f.kind !== 'checkpoint-signature'),
  };
}

/** Files smaller than this are verified on the calling thread: starting workers would cost more. */
const PARALLEL_ABOVE_BYTES = 64 * 1024 * 1024;

/** Verifies an export file: chains, checkpoint signatures, inclusion proofs. */
export async function verifyExport(
  path: string,
  options: { publicKeyPem?: string | undefined; progress?: Progress; workers?: number } = {},
): Promise<VerifyOutcome> {
  const preamble = await readPreamble(path, options.publicKeyPem);
  const signatures = new LogVerifier(preamble.publicKeyPem);
  for (const c of preamble.checkpoints) signatures.checkpoint(c);
  const checkpointFailures = signatures.report().failures;
  const size = statSync(path).size;
  const workers = options.workers ?? (size > PARALLEL_ABOVE_BYTES ? Math.min(4, availableParallelism()) : 1);
  // Progress in megabytes of the file: the number of events is not known before the end.
  let done = 0;
  options.progress?.start(Math.ceil(size / 1e6), 'MB');
  const onBytes = (n: number) => {
    done += n;
    options.progress?.update(Math.floor(done / 1e6));
  };
  let results: RangeResult[];
  if (preamble.streamsAt < 0) {
    results = [];
  } else if (workers <= 1) {
    results = [await verifyRange(path, preamble, preamble.streamsAt, Number.POSITIVE_INFINITY, onBytes)];
  } else {
    const span = Math.ceil((size - preamble.streamsAt) / workers);
    results = await Promise.all(
      Array.from({ length: workers }, (_, i) =>
        inWorker(
          path,
          preamble,
          preamble.streamsAt + i * span,
          i === workers - 1 ? Number.POSITIVE_INFINITY : preamble.streamsAt + (i + 1) * span,
          onBytes,
        ),
      ),
    );
  }
  options.progress?.stop();
  const failures = [...checkpointFailures, ...results.flatMap((r) => r.failures)];
  return {
    streams: results.reduce((n, r) => n + r.streams, 0),
    events: results.reduce((n, r) => n + r.events, 0),
    anchored: results.reduce((n, r) => n + r.anchored, 0),
    checkpoints: preamble.checkpoints.length,
    failures,
    ok: failures.length === 0,
    keySource: preamble.keySource,
  };
}

function inWorker(
  path: string,
  preamble: Preamble,
  start: number,
  end: number,
  onBytes: (n: number) => void,
): Promise<RangeResult> {
  return new Promise((resolve, reject) => {
    // A bootstrap in plain JavaScript registers the TypeScript loader the worker does not inherit.
    const worker = new Worker(new URL('./verify-worker.mjs', import.meta.url), {
      workerData: {
        path,
        preamble: { publicKeyPem: preamble.publicKeyPem, checkpoints: preamble.checkpoints },
        start,
        end,
      },
    });
    worker.on('message', (m: { progress?: number; result?: RangeResult }) => {
      if (m.progress) onBytes(m.progress);
      if (m.result) resolve(m.result);
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (code !== 0) reject(new Error(`verification worker exited with ${code}`));
    });
  });
}
