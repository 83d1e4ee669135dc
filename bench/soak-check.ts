import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import canonicalize from 'canonicalize';
import { ApiSource } from '../audit/source.ts';
import { verifyLive } from '../audit/verify-run.ts';
import type { AdvisoryEvent, AdvisoryState } from '../events/advisory/advisory.ts';
import type { IncidentEvent, IncidentState, Recorded } from '../events/incident/incident.ts';
import { advisories } from '../functions/aggregates/advisories.ts';
import { loadDirectory } from '../functions/aggregates/directory.ts';
import { incidents } from '../functions/aggregates/incidents.ts';
import { auditFoldings } from '../functions/audit/audit-aggregates.ts';
import { listAllHeads } from '../functions/audit/audit-log.ts';
import { replayStream } from '../functions/audit/audit-replay.ts';
import { MAX_ATTEMPTS, retryDelaySeconds } from '../functions/notify/delivery-retry.ts';
import { advisoryMessagesFor } from '../functions/reactions/advisory-reactions.ts';
import { messagesFor } from '../functions/reactions/reactions.ts';
import { DynamoDbEventReader } from '../functions/store/dynamodb-event-reader.ts';
import type { StoredEvent, StreamHead } from '../functions/store/event-store.ts';
import { localAckKeyFile } from '../local/auth.ts';
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
    | 'delivery-retry'
    | 'callback';
  readonly streamId?: string;
  readonly detail: string;
}

/** A Step Functions callback the soak sent, and what the endpoint answered. */
export interface CallbackSent {
  /** `duplicate`: the token of a wait still open, sent twice at once; `late`: the token of a wait that ended. */
  readonly kind: 'duplicate' | 'late';
  /** Whose wait: the relay's (at `hop`) or the incident's reporting stages'. */
  readonly workflow: 'relay' | 'stage';
  readonly hop?: string;
  /** The wait's attempt and deadline as its RelayWaitStarted or StageWaitStarted recorded them. */
  readonly attempt: number;
  readonly dueAt: string;
  readonly token: string;
  readonly streamId: string;
  /** The stream's version when the callback was sent. */
  readonly version: number;
  /** `ok`, or the error name (TaskTimedOut, InvalidToken, …). */
  readonly answer: string;
}

/** What the checker looked at, and what it found. */
export interface CheckReport {
  readonly streams: number;
  readonly events: number;
  readonly commandsChecked: number;
  readonly chain: { ok: boolean; events: number; streams: number; checkpoints: number; anchored: number };
  /** The messages the events call for and what became of each (see {@link DeliveryCounts}). */
  readonly deliveries: DeliveryCounts;
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
/**
 * How long after the kill an answer may still be of such a write: the JVM is down for 3 s before the soak
 * restarts it (the whole stack longer), so nothing written after the kill is answered in that time; what
 * is answered then was acknowledged before the kill, its answer still on its way (it happened: 0.1 s).
 */
export const KILL_ANSWER_LAG_MS = 3_000;
/** How long the checker waits for a stream's head to meet its events (the projection runs on meanwhile). */
const HEAD_SETTLE_MS = 30_000;

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
  /** The stack's CEPTOAR_TIME_SCALE: the retry backoff it divides (functions/notify/delivery-retry.ts). */
  readonly timeScale: number;
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
    await pool(heads, 8, async (listed) => {
      // The stack keeps running while it is checked (an open relay's deadline passes every few minutes at the
      // soak's time scale and escalates): a stream may move on between the list of heads and its read, and its
      // head follows its events off the command path. The events and the head are read again until they meet,
      // for at most HEAD_SETTLE_MS; only a head that stays behind (or a gap) is a violation.
      let list: StoredEvent[] = [];
      let head: Pick<StreamHead<unknown>, 'version' | 'stateSchema' | 'state'> | null = null;
      for (const settleBy = Date.now() + HEAD_SETTLE_MS; ; ) {
        list = [];
        for await (const e of reader.readEvents(listed.streamId)) list.push(e);
        head = await reader.loadHead(listed.streamId);
        if (head === null || head.version === list.length || Date.now() >= settleBy) break;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      events.set(listed.streamId, list);
      eventCount += list.length;
      const versions = list.map((e) => e.version);
      const gap = versions.findIndex((v, i) => v !== i + 1);
      if (gap >= 0 || versions.length !== (head?.version ?? listed.version)) {
        violations.push({
          invariant: 'stream-versions',
          streamId: listed.streamId,
          detail: `versions [${versions.join(',')}] against head version ${head?.version ?? listed.version}`,
        });
      }
      const folding = auditFoldings[listed.streamType];
      if (!folding) return;
      const replay = await replayStream(listed.streamId, list, folding, null);
      folded.set(listed.streamId, replay.state);
      if (head === null) {
        violations.push({ invariant: 'fold-vs-head', streamId: listed.streamId, detail: 'no head item' });
      } else if (
        head.stateSchema === folding.stateSchema &&
        canonicalize(head.state) !== canonicalize(replay.state)
      ) {
        violations.push({
          invariant: 'fold-vs-head',
          streamId: listed.streamId,
          detail: `the head (version ${head.version}) differs from the fold of ${list.length} events`,
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
      return (input.dynamoKills ?? []).some(
        (k) => k - answered <= KILL_WINDOW_MS && answered - k < KILL_ANSWER_LAG_MS,
      );
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

    // 4. Every message the events call for (the same plans the notifier makes) is recorded on its stream as
    //    delivered or failed, and retried as the policy says.
    const directory = await loadDirectory(reader);
    const ackSecret = Buffer.from(readFileSync(localAckKeyFile(input.dataDir), 'utf8').trim(), 'base64');
    const deps = { directory, publicUrl: input.url };
    const advisoryDeps = {
      directory: async () => directory,
      ackKey: async () => ackSecret,
      publicUrl: input.url,
    };
    const promised: PromisedMessage[] = [];
    for (const [streamId, list] of events) {
      const state = folded.get(streamId);
      if (!state) continue;
      if (streamId.startsWith('incident#')) {
        for (const stored of list) {
          const event = incidents.upcast(stored) as Recorded<IncidentEvent>;
          for (const m of messagesFor(event, state as IncidentState, deps)) promised.push({ ...m, streamId });
        }
      } else if (streamId.startsWith('advisory#')) {
        for (const stored of list) {
          const event = advisories.upcast(stored) as Recorded<AdvisoryEvent>;
          promised.push(...(await advisoryMessagesFor(event, state as AdvisoryState, advisoryDeps)));
        }
      }
    }
    const facts = new Map<string, Map<string, MessageFacts>>();
    for (const [streamId, list] of events) facts.set(streamId, deliveryFactsOf(list));
    const deliveries = checkDeliveries(
      promised,
      (streamId, key) => facts.get(streamId)?.get(key),
      input.timeScale,
    );
    violations.push(...deliveries.violations);

    // 5. A task token is accepted at most once, whoever sends it, and a duplicate or late callback changes
    //    nothing; no wait is recorded twice.
    violations.push(...checkCallbacks(input.callbacks, events));

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
      deliveries: deliveries.counts,
      viewsRead,
      lostInKill,
      violations,
    };
  } finally {
    client.destroy();
  }
}

// ---- Pure rules of the checker (unit-tested in test/soak-check.unit.test.ts) ----

/** The events of the relay workflow about one hop, and of the stage workflow. */
const RELAY_HOP_EVENTS = new Set(['RelayWaitStarted', 'HopDeadlineMissed', 'RelayStalled']);
const STAGE_EVENTS = new Set(['StageWaitStarted', 'StageReminderDue', 'StageEscalated']);
const WAIT_EVENTS = new Set(['RelayWaitStarted', 'StageWaitStarted', 'AdvisoryWaitStarted']);

/**
 * The callbacks' invariants: a task token is accepted at most once; a late callback (its wait had ended)
 * is followed by no event of the wait it names (the relay's events for that hop, or the stages' events of
 * a closed incident); after a duplicate of an open relay wait, the hop's deadline is what it was (the
 * workflow may wait again at the same attempt, with the same deadline) and no escalation comes before
 * it; and in every stream no task token is recorded twice (no duplicate wait event).
 */
export function checkCallbacks(
  callbacks: readonly CallbackSent[],
  events: ReadonlyMap<string, readonly StoredEvent[]>,
): Violation[] {
  const violations: Violation[] = [];
  const accepted = new Map<string, CallbackSent[]>();
  for (const c of callbacks)
    if (c.answer === 'ok') accepted.set(c.token, [...(accepted.get(c.token) ?? []), c]);
  for (const [, sent] of accepted) {
    if (sent.length > 1) {
      violations.push({
        invariant: 'callback',
        streamId: sent[0]?.streamId ?? '',
        detail: `one task token (${sent[0]?.workflow} wait, ${sent[0]?.kind}) accepted ${sent.length} times`,
      });
    }
  }
  // A pair sent at once is one callback to check.
  const distinct = new Map(callbacks.map((c) => [`${c.kind} ${c.token}`, c]));
  for (const c of distinct.values()) {
    const after = (events.get(c.streamId) ?? []).filter((e) => e.version > c.version);
    const name = `${c.kind} ${c.workflow} callback${c.hop ? ` (${c.hop})` : ''} at version ${c.version}`;
    if (c.kind === 'late') {
      const moved = after.filter((e) =>
        c.workflow === 'relay'
          ? RELAY_HOP_EVENTS.has(e.type) && data(e).hop === c.hop
          : STAGE_EVENTS.has(e.type),
      );
      for (const e of moved) {
        violations.push({
          invariant: 'callback',
          streamId: c.streamId,
          detail: `${name} answered ${c.answer}, then ${e.type} at version ${e.version} for the wait that had ended`,
        });
      }
    } else if (c.workflow === 'relay') {
      for (const e of after) {
        if (data(e).hop !== c.hop) continue;
        if (e.type === 'RelayWaitStarted' && data(e).attempt === c.attempt && data(e).dueAt !== c.dueAt) {
          violations.push({
            invariant: 'callback',
            streamId: c.streamId,
            detail: `${name}: the hop's deadline moved from ${c.dueAt} to ${String(data(e).dueAt)} (version ${e.version})`,
          });
        }
        if (
          e.type === 'HopDeadlineMissed' &&
          data(e).escalation === c.attempt + 1 &&
          Date.parse(e.recordedAt) < Date.parse(c.dueAt)
        ) {
          violations.push({
            invariant: 'callback',
            streamId: c.streamId,
            detail: `${name}: escalated at ${e.recordedAt}, before the deadline ${c.dueAt} (version ${e.version})`,
          });
        }
      }
    }
  }
  for (const [streamId, list] of events) {
    const seen = new Map<string, number>();
    for (const e of list) {
      if (!WAIT_EVENTS.has(e.type)) continue;
      const token = String(data(e).taskToken);
      const first = seen.get(token);
      if (first !== undefined) {
        violations.push({
          invariant: 'callback',
          streamId,
          detail: `${e.type} at version ${e.version} records the task token of version ${first} again`,
        });
      } else seen.set(token, e.version);
    }
  }
  return violations;
}

/** One message the events promise: its key, and the stream its delivery is recorded on. */
export interface PromisedMessage {
  readonly key: string;
  readonly streamId: string;
  readonly channel: string;
}

/** What a stream records about one message: its outcome(s) and its failed attempts, in stream order. */
export interface MessageFacts {
  readonly outcomes: { ok: boolean; reason?: string; version: number; recordedAt: string }[];
  readonly attempts: { attempt: number; nextAttemptAt: string; version: number; recordedAt: string }[];
}

const OUTCOME_OK = new Set(['NotificationDelivered', 'AdvisoryDelivered']);
const OUTCOME_FAILED = new Set(['NotificationFailed', 'AdvisoryDeliveryFailed']);
const ATTEMPT_FAILED = new Set(['NotificationAttemptFailed', 'AdvisoryDeliveryAttemptFailed']);

/** The delivery facts of one stream's events (incident, advisory chain, advisory recipient), by message key. */
export function deliveryFactsOf(list: readonly StoredEvent[]): Map<string, MessageFacts> {
  const facts = new Map<string, MessageFacts>();
  const of = (key: string) => {
    let f = facts.get(key);
    if (!f) {
      f = { outcomes: [], attempts: [] };
      facts.set(key, f);
    }
    return f;
  };
  for (const e of list) {
    const d = data(e);
    const key = String(d.key);
    if (OUTCOME_OK.has(e.type))
      of(key).outcomes.push({ ok: true, version: e.version, recordedAt: e.recordedAt });
    else if (OUTCOME_FAILED.has(e.type))
      of(key).outcomes.push({
        ok: false,
        reason: String(d.reason),
        version: e.version,
        recordedAt: e.recordedAt,
      });
    else if (ATTEMPT_FAILED.has(e.type))
      of(key).attempts.push({
        attempt: Number(d.attempt),
        nextAttemptAt: String(d.nextAttemptAt),
        version: e.version,
        recordedAt: e.recordedAt,
      });
  }
  return facts;
}

/** What became of the messages the events promise. */
export interface DeliveryCounts {
  readonly promised: number;
  /** Delivered at the first attempt. */
  readonly delivered: number;
  /** Delivered after failed attempts, each recorded and retried by the queue. */
  readonly failedThenDelivered: number;
  /** Failed at every one of the policy's attempts, the last recorded as failed ("gave up after 5 attempts"). */
  readonly givenUp: number;
  /** Refused for good without the retries running out (a permanent error), recorded as failed. */
  readonly refused: number;
  /** Failed attempts recorded (NotificationAttemptFailed, AdvisoryDeliveryAttemptFailed). */
  readonly attemptsFailed: number;
  /** Neither delivered nor recorded as failed (each is a violation). */
  readonly missing: number;
}

/**
 * Every promised message is recorded once as delivered or failed, and retried as the policy says
 * (functions/notify/delivery-retry.ts): failed attempts are numbered 1 to {@link MAX_ATTEMPTS} − 1,
 * each once, all before the outcome; each was retried no sooner than its backoff (the next attempt or the
 * outcome recorded at or after its `nextAttemptAt`, less `slackMs` for the clock of two processes), a
 * backoff of `retryDelaySeconds(attempt, timeScale)`; a message given up failed exactly MAX_ATTEMPTS times.
 */
export function checkDeliveries(
  promised: readonly PromisedMessage[],
  factsOf: (streamId: string, key: string) => MessageFacts | undefined,
  timeScale: number,
  slackMs = 500,
): { counts: DeliveryCounts; violations: Violation[] } {
  const violations: Violation[] = [];
  let delivered = 0;
  let failedThenDelivered = 0;
  let givenUp = 0;
  let refused = 0;
  let attemptsFailed = 0;
  let missing = 0;
  const seen = new Set<string>();
  for (const m of promised) {
    const id = `${m.streamId} ${m.key}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const facts = factsOf(m.streamId, m.key);
    const name = `message ${m.key} (${m.channel})`;
    const retry = (detail: string) =>
      violations.push({ invariant: 'delivery-retry', streamId: m.streamId, detail: `${name}: ${detail}` });
    const outcome = facts?.outcomes[0];
    if (!facts || !outcome) {
      missing++;
      violations.push({
        invariant: 'delivery',
        streamId: m.streamId,
        detail: `${name} neither delivered nor recorded as failed${facts?.attempts.length ? ` (${facts.attempts.length} failed attempts recorded)` : ''}`,
      });
      continue;
    }
    if (facts.outcomes.length > 1)
      violations.push({
        invariant: 'delivery',
        streamId: m.streamId,
        detail: `${name} recorded ${facts.outcomes.length} times`,
      });
    const attempts = [...facts.attempts].sort((a, b) => a.version - b.version);
    attemptsFailed += attempts.length;
    const numbers = attempts.map((a) => a.attempt);
    if (numbers.some((n) => !Number.isInteger(n) || n < 1 || n >= MAX_ATTEMPTS))
      retry(`attempts [${numbers.join(',')}] outside 1..${MAX_ATTEMPTS - 1}`);
    if (new Set(numbers).size !== numbers.length) retry(`an attempt recorded twice: [${numbers.join(',')}]`);
    for (const a of attempts.filter((x) => x.version > outcome.version))
      retry(
        `attempt ${a.attempt} recorded at version ${a.version}, after its outcome (version ${outcome.version})`,
      );
    const chain = [...attempts.filter((a) => a.version < outcome.version), outcome];
    for (let i = 0; i + 1 < chain.length; i++) {
      const a = chain[i] as MessageFacts['attempts'][number];
      const next = chain[i + 1] as { recordedAt: string };
      const backoff = retryDelaySeconds(a.attempt, timeScale) * 1000;
      const planned = Date.parse(a.nextAttemptAt) - Date.parse(a.recordedAt);
      if (planned > backoff + slackMs)
        retry(
          `attempt ${a.attempt} planned its retry ${planned} ms out, the policy's backoff is ${backoff} ms`,
        );
      if (Date.parse(next.recordedAt) < Date.parse(a.nextAttemptAt) - slackMs)
        retry(
          `retried at ${next.recordedAt}, before attempt ${a.attempt}'s backoff ended (${a.nextAttemptAt})`,
        );
    }
    if (outcome.ok) {
      if (attempts.length === 0) delivered++;
      else failedThenDelivered++;
      continue;
    }
    const gaveUp = /^gave up after (\d+) attempts/.exec(outcome.reason ?? '');
    if (!gaveUp) {
      refused++;
      continue;
    }
    givenUp++;
    if (Number(gaveUp[1]) !== MAX_ATTEMPTS)
      retry(`gave up after ${gaveUp[1]} attempts; the policy makes ${MAX_ATTEMPTS}`);
  }
  return {
    counts: {
      promised: seen.size,
      delivered,
      failedThenDelivered,
      givenUp,
      refused,
      attemptsFailed,
      missing,
    },
    violations,
  };
}
