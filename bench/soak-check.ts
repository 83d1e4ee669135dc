import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import canonicalize from 'canonicalize';
import { ApiSource } from '../audit/source.ts';
import { verifyLive } from '../audit/verify-run.ts';
import type { AdvisoryState } from '../events/advisory/advisory.ts';
import type { IncidentEvent, IncidentState, Recorded } from '../events/incident/incident.ts';
import { auditFoldings } from '../functions/commons/audit-aggregates.ts';
import { listAllHeads } from '../functions/commons/audit-log.ts';
import { replayStream } from '../functions/commons/audit-replay.ts';
import { loadDirectory } from '../functions/commons/directory.ts';
import { DynamoDbEventReader } from '../functions/commons/dynamodb-event-reader.ts';
import type { StoredEvent } from '../functions/commons/event-store.ts';
import { incidents } from '../functions/commons/incidents.ts';
import { messagesFor } from '../functions/commons/reactions.ts';
import { localAckKeyFile } from '../local/auth.ts';
import { undeliveredMessages } from '../local/recover-advisories.ts';
import type { LoggedRequest } from './soak-workload.ts';
import { pool } from './util.ts';

// The soak's invariant checker: reads the event log (DynamoDB Local, and the audit API for the hash
// chains) and the client log, and names every place where they disagree. Run once the stack is quiet.

/** One broken invariant, named precisely enough to find it. */
export interface Violation {
  readonly invariant:
    | 'exactly-once'
    | 'refused-wrote'
    | 'stream-versions'
    | 'hash-chain'
    | 'fold-vs-head'
    | 'fold-vs-view'
    | 'delivery'
    | 'callback';
  readonly streamId?: string;
  readonly detail: string;
}

/** A Step Functions callback the soak sent, and what the endpoint answered. */
export interface CallbackSent {
  readonly kind: 'duplicate' | 'late';
  readonly token: string;
  readonly streamId: string;
  /** `ok`, or the error name (TaskTimedOut, InvalidToken, …). */
  readonly answer: string;
}

/** What the checker looked at, and what it found. */
export interface CheckReport {
  readonly streams: number;
  readonly events: number;
  readonly commandsChecked: number;
  readonly chain: { ok: boolean; events: number; streams: number; checkpoints: number; anchored: number };
  /** Incident messages the events call for; deliveries recorded as made or failed (incidents and recipients). */
  readonly deliveries: { promised: number; delivered: number; failedRecorded: number };
  readonly viewsRead: number;
  readonly violations: Violation[];
  /**
   * Commands answered 2xx whose event is not in the log, answered at most {@link KILL_WINDOW_MS}
   * before DynamoDB Local's JVM was SIGKILLed: DynamoDB Local can lose a transaction it has just
   * acknowledged when its JVM is killed right after (it did once in four tries of 20 transactions
   * killed at once; bench/README.md, "Soak"), which DynamoDB itself does not. Named here, not counted
   * as violations of the system: a write the table acknowledged is the end of what the system can do.
   */
  readonly lostInKill: string[];
}

/** How long before a SIGKILL of DynamoDB Local an acknowledged write may still be lost with the JVM. */
export const KILL_WINDOW_MS = 2_000;

/** Where the checker reads. */
export interface CheckInput {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly dynamoEndpoint: string;
  readonly tableName: string;
  readonly log: readonly LoggedRequest[];
  readonly callbacks: readonly CallbackSent[];
  /** When DynamoDB Local's JVM was SIGKILLed (epoch ms): alone, or with the whole stack. */
  readonly dynamoKills?: readonly number[];
}

type Expectation = {
  type: string;
  match?: (e: StoredEvent) => boolean;
  unique: 'nonce' | 'per-stream' | 'none';
};

const data = (e: StoredEvent) => e.data as Record<string, unknown>;

/** Which event a command must have written, and how to tell it from others. */
function expectation(entry: LoggedRequest): Expectation | null {
  switch (entry.kind) {
    case 'report':
      return {
        type: 'IncidentReported',
        match: (e) => (data(e).report as { title?: string })?.title === `Soak ${entry.nonce}`,
        unique: 'nonce',
      };
    case 'follow-up':
      return { type: 'FollowUpAdded', match: (e) => data(e).description === entry.nonce, unique: 'nonce' };
    case 'approve':
      return { type: 'RelayApproved', unique: 'per-stream' };
    case 'return':
      return { type: 'RelayReturned', unique: 'per-stream' };
    case 'receipt-ministry':
      return { type: 'ReceiptAcknowledged', match: (e) => data(e).hop === 'ministry', unique: 'per-stream' };
    case 'receipt-nisc':
      return { type: 'ReceiptAcknowledged', match: (e) => data(e).hop === 'nisc', unique: 'per-stream' };
    case 'close':
      return { type: 'IncidentClosed', unique: 'per-stream' };
    case 'advisory':
      return {
        type: 'AdvisoryIssued',
        match: (e) => data(e).title === `Soak ${entry.nonce}`,
        unique: 'nonce',
      };
    case 'forward-ministry':
      return { type: 'AdvisoryForwarded', match: (e) => data(e).hop === 'ministry', unique: 'per-stream' };
    case 'forward-secretariat':
      return { type: 'AdvisoryForwarded', match: (e) => data(e).hop === 'secretariat', unique: 'per-stream' };
    case 'advisory-receipt':
      return {
        type: 'AdvisoryAcknowledged',
        match: (e) => data(e).via === 'api' && data(e).by === entry.sub,
        unique: 'per-stream',
      };
    case 'ack-link':
      return {
        type: 'AdvisoryAcknowledged',
        match: (e) => data(e).via === 'link' && data(e).contactId === entry.answer?.contactId,
        unique: 'per-stream',
      };
    case 'read':
      return null;
    default: {
      const _never: never = entry.kind;
      return _never;
    }
  }
}

/** Checks every invariant of the soak (bench/README.md, "Soak") and returns what it found. */
export async function checkInvariants(input: CheckInput): Promise<CheckReport> {
  const violations: Violation[] = [];
  const client = new DynamoDBClient({
    endpoint: input.dynamoEndpoint,
    region: 'ap-northeast-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const reader = new DynamoDbEventReader(client, input.tableName);
  try {
    // 1. Every stream: versions 1..n without gap or duplicate, n = the head's version; the head's state =
    //    the fold of the events.
    const heads = await listAllHeads(client, input.tableName);
    const events = new Map<string, StoredEvent[]>();
    const folded = new Map<string, unknown>();
    let eventCount = 0;
    await pool(heads, 8, async (head) => {
      const list: StoredEvent[] = [];
      for await (const e of reader.readEvents(head.streamId)) list.push(e);
      events.set(head.streamId, list);
      eventCount += list.length;
      const versions = list.map((e) => e.version);
      const gap = versions.findIndex((v, i) => v !== i + 1);
      if (gap >= 0 || versions.length !== head.version) {
        violations.push({
          invariant: 'stream-versions',
          streamId: head.streamId,
          detail: `versions [${versions.join(',')}] against head version ${head.version}`,
        });
      }
      const folding = auditFoldings[head.streamType];
      if (!folding) return;
      const replay = await replayStream(head.streamId, list, folding, null);
      folded.set(head.streamId, replay.state);
      const stored = await reader.loadHead(head.streamId);
      if (stored === null) {
        violations.push({ invariant: 'fold-vs-head', streamId: head.streamId, detail: 'no head item' });
      } else if (
        stored.stateSchema === folding.stateSchema &&
        canonicalize(stored.state) !== canonicalize(replay.state)
      ) {
        violations.push({
          invariant: 'fold-vs-head',
          streamId: head.streamId,
          detail: `the head (version ${stored.version}) differs from the fold of ${list.length} events`,
        });
      }
    });

    // 2. Every command: its event exactly once when answered 2xx; at most once otherwise; none when refused.
    let commandsChecked = 0;
    const byNonce = new Map<string, number>();
    for (const [streamId, list] of events) {
      for (const e of list) {
        if (e.type === 'IncidentReported') {
          const title = (data(e).report as { title?: string })?.title ?? '';
          byNonce.set(`IncidentReported:${title}`, (byNonce.get(`IncidentReported:${title}`) ?? 0) + 1);
        } else if (e.type === 'AdvisoryIssued') {
          const title = String(data(e).title ?? '');
          byNonce.set(`AdvisoryIssued:${title}`, (byNonce.get(`AdvisoryIssued:${title}`) ?? 0) + 1);
        } else if (e.type === 'FollowUpAdded') {
          const key = `FollowUpAdded:${streamId}:${String(data(e).description)}`;
          byNonce.set(key, (byNonce.get(key) ?? 0) + 1);
        }
      }
    }
    const lostInKill: string[] = [];
    /** A missing event of a command answered just before a kill: DynamoDB Local's loss, named apart. */
    const killedAfter = (entry: LoggedRequest) => {
      const answered = entry.answeredAt ? Date.parse(entry.answeredAt) : Number.NaN;
      return (input.dynamoKills ?? []).some((k) => answered <= k && k - answered <= KILL_WINDOW_MS);
    };
    const missing = (entry: LoggedRequest, violation: Violation) => {
      if (killedAfter(entry)) lostInKill.push(violation.detail);
      else violations.push(violation);
    };
    for (const entry of input.log) {
      const expected = expectation(entry);
      if (!expected) continue;
      commandsChecked++;
      const ok = entry.status >= 200 && entry.status < 300;
      const streamId =
        entry.streamId ??
        (entry.answer?.id
          ? `${entry.kind === 'advisory' ? 'advisory' : 'incident'}#${entry.answer.id}`
          : undefined);
      const name = `${entry.kind} #${entry.seq} (${entry.method} ${entry.path}, key ${entry.key ?? '-'})`;
      if (expected.unique === 'nonce') {
        const key =
          entry.kind === 'follow-up'
            ? `FollowUpAdded:${streamId}:${entry.nonce}`
            : `${expected.type}:Soak ${entry.nonce}`;
        const count = byNonce.get(key) ?? 0;
        const refused = !ok && entry.attempts.every((a) => a !== 'network' && a >= 400 && a < 500);
        if (ok && count !== 1) {
          const violation: Violation = {
            invariant: 'exactly-once',
            ...(streamId ? { streamId } : {}),
            detail: `${name}: answered ${entry.status}, ${count} events`,
          };
          if (count === 0) missing(entry, violation);
          else violations.push(violation);
        }
        if (!ok && count > 1)
          violations.push({
            invariant: 'exactly-once',
            ...(streamId ? { streamId } : {}),
            detail: `${name}: unanswered, ${count} events`,
          });
        if (refused && count > 0)
          violations.push({
            invariant: 'refused-wrote',
            ...(streamId ? { streamId } : {}),
            detail: `${name}: refused ${entry.status}, ${count} events`,
          });
      }
      if (!ok || !streamId) continue;
      const list = events.get(streamId) ?? [];
      const matching = list.filter((e) => e.type === expected.type && (expected.match?.(e) ?? true));
      const version = entry.answer?.version;
      const atOrBefore = version === undefined ? matching : matching.filter((e) => e.version <= version);
      if (atOrBefore.length === 0) {
        // An acknowledgement the organisation had already given writes nothing: the org's own event is enough.
        const already =
          entry.answer?.status === 'already_acknowledged' &&
          list.some((e) => e.type === 'AdvisoryAcknowledged');
        if (!already) {
          missing(entry, {
            invariant: 'exactly-once',
            streamId,
            detail: `${name}: answered ${entry.status}, no ${expected.type} event`,
          });
        }
      }
      if (expected.unique === 'per-stream') {
        if (matching.length > 1) {
          violations.push({
            invariant: 'exactly-once',
            streamId,
            detail: `${name}: ${matching.length} ${expected.type} events`,
          });
        }
      }
    }

    // 3. The view a reader gets (GET /incidents/{id}, /advisories/{id}) = the fold of the log.
    const { issueLocalToken, localSigningKey } = await import('../local/auth.ts');
    const key = localSigningKey(input.dataDir);
    const secretariat = await issueLocalToken(key, { role: 'secretariat', sub: 'soak-checker' });
    const streamsToView = [...folded.keys()].filter(
      (s) => s.startsWith('incident#') || s.startsWith('advisory#'),
    );
    let viewsRead = 0;
    await pool(streamsToView, 8, async (streamId) => {
      const [type, id] = streamId.split('#') as [string, string];
      const state = folded.get(streamId) as { status?: string; version?: number } | null;
      if (!state) return;
      const res = await fetch(`${input.url}/${type === 'incident' ? 'incidents' : 'advisories'}/${id}`, {
        headers: { authorization: `Bearer ${secretariat}` },
      });
      viewsRead++;
      const view = (await res.json().catch(() => ({}))) as { status?: string; version?: number };
      // The secretariat sees every incident and advisory; anything else is a disagreement.
      if (res.status !== 200 || view.status !== state.status) {
        violations.push({
          invariant: 'fold-vs-view',
          streamId,
          detail: `view answered ${res.status} status ${view.status}; the log folds to ${state.status}`,
        });
      }
    });

    // 4. Every message the events call for is recorded on its stream as delivered or failed (the same
    //    plans the notifier and the restart recovery make).
    const directory = await loadDirectory(reader);
    const ackSecret = Buffer.from(readFileSync(localAckKeyFile(input.dataDir), 'utf8').trim(), 'base64');
    const deps = { directory, publicUrl: input.url };
    let promised = 0;
    let delivered = 0;
    let failedRecorded = 0;
    for (const [streamId, list] of events) {
      if (!streamId.startsWith('incident#')) continue;
      const state = folded.get(streamId) as IncidentState | null;
      if (!state) continue;
      const recorded = new Map(state.deliveries.map((d) => [d.key, d]));
      for (const stored of list) {
        for (const m of messagesFor(incidents.upcast(stored) as Recorded<IncidentEvent>, state, deps)) {
          promised++;
          const d = recorded.get(m.key);
          if (!d)
            violations.push({
              invariant: 'delivery',
              streamId,
              detail: `message ${m.key} (${m.channel}) neither delivered nor recorded as failed`,
            });
          else if (d.ok) delivered++;
          else failedRecorded++;
        }
      }
    }
    for (const [streamId, state] of folded) {
      if (!streamId.startsWith('advisory#') || state === null) continue;
      const missing = await undeliveredMessages(reader, state as AdvisoryState, {
        directory: async () => directory,
        ackKey: async () => ackSecret,
        publicUrl: input.url,
      });
      for (const m of missing) {
        violations.push({
          invariant: 'delivery',
          streamId,
          detail: `message ${m.key} (${m.channel}) to ${m.streamId} neither delivered nor recorded as failed`,
        });
      }
    }
    for (const [streamId, list] of events) {
      if (!streamId.startsWith('advisory-recipient#')) continue;
      for (const e of list) {
        if (e.type === 'AdvisoryDelivered') delivered++;
        if (e.type === 'AdvisoryDeliveryFailed') failedRecorded++;
      }
    }

    // 5. A task token is accepted at most once, whoever sends it.
    const accepted = new Map<string, number>();
    for (const c of input.callbacks)
      if (c.answer === 'ok') accepted.set(c.token, (accepted.get(c.token) ?? 0) + 1);
    for (const [token, n] of accepted) {
      if (n > 1) {
        const streamId = input.callbacks.find((c) => c.token === token)?.streamId;
        violations.push({
          invariant: 'callback',
          ...(streamId ? { streamId } : {}),
          detail: `one task token accepted ${n} times`,
        });
      }
    }

    // 6. Every hash chain, against its head and the latest signed checkpoint (the auditor's own verifier).
    const source = await ApiSource.local({ CEPTOAR_DATA_DIR: input.dataDir, PORT: String(input.port) });
    const chain = await verifyLive(source);
    for (const f of chain.failures) {
      violations.push({
        invariant: 'hash-chain',
        ...(f.streamId ? { streamId: f.streamId } : {}),
        detail: `${f.kind} at version ${f.version ?? '-'}: ${f.message}`,
      });
    }

    return {
      streams: heads.length,
      events: eventCount,
      commandsChecked,
      chain: {
        ok: chain.ok,
        events: chain.events,
        streams: chain.streams,
        checkpoints: chain.checkpoints,
        anchored: chain.anchored,
      },
      deliveries: { promised, delivered, failedRecorded },
      viewsRead,
      lostInKill,
      violations,
    };
  } finally {
    client.destroy();
  }
}
