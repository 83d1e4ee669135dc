import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADVISORY_EXAMPLE, REPORT_EXAMPLE } from '../functions/api-contract.ts';
import { issueLocalToken, localSigningKey } from '../local/auth.ts';
import { sleep } from './util.ts';

// The soak's clients (bench/soak.ts): a mixed workload over HTTP, each command retried with its own
// Idempotency-Key until answered (bounded), every command written to the client log that the invariant
// checker (bench/soak-check.ts) matches against the event log.

/** A small seeded PRNG (mulberry32): the same seed gives the same workload choices and fault schedule. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The commands the checker matches to events, and the reads it does not. */
export type CommandKind =
  | 'report'
  | 'follow-up'
  | 'approve'
  | 'return'
  | 'receipt-ministry'
  | 'receipt-nisc'
  | 'close'
  | 'advisory'
  | 'forward-ministry'
  | 'forward-secretariat'
  | 'advisory-receipt'
  | 'ack-link';

/** One line of the client log: a command (or read) as the client saw it, all attempts included. */
export interface LoggedRequest {
  readonly seq: number;
  readonly kind: CommandKind | 'read';
  readonly method: string;
  readonly path: string;
  /** Sent on every attempt (commands only; the ack link is idempotent by itself). */
  readonly key?: string;
  /** A unique text in the body (report and advisory titles, follow-up texts) to find its event by. */
  readonly nonce?: string;
  /** The stream the command's event belongs in. */
  readonly streamId?: string;
  /** The caller's token `sub`. */
  readonly sub: string;
  /** The last answer's status; 0 when no attempt got an HTTP answer. */
  readonly status: number;
  /** Every attempt's outcome: an HTTP status, or `network` (refused, reset, timed out). */
  readonly attempts: readonly (number | 'network')[];
  /** Fields of the 2xx answer the checker needs (id, version, status, contactId). */
  readonly answer?: { id?: string; version?: number; status?: string; contactId?: string };
  readonly at: string;
  /** When the last attempt ended (its answer, or its network error): what a kill soon after can undo. */
  readonly answeredAt?: string;
}

/** What the clients measured. */
export interface ClientFigures {
  requests: number;
  /** HTTP attempts that got an answer, by status; `network` for attempts that got none. */
  byStatus: Record<string, number>;
  /** Milliseconds per answered attempt. */
  latencies: number[];
  /** Logical requests not answered 2xx within their bound. */
  gaveUp: number;
}

/** The member organisations of config/directory.json (what `npm start` seeds). */
export function membersOf(directoryFile: string): string[] {
  const json = JSON.parse(readFileSync(directoryFile, 'utf8')) as {
    organizations: Record<string, { kind: string }>;
  };
  const members = Object.entries(json.organizations)
    .filter(([, o]) => o.kind === 'member')
    .map(([id]) => id);
  if (members.length === 0) throw new Error(`${directoryFile} names no member organisation`);
  return members;
}

/** Options of {@link Workload}. */
export interface WorkloadOptions {
  readonly url: string;
  readonly dataDir: string;
  readonly seed: number;
  readonly members: readonly string[];
  /** Where every logical request is appended as one JSON line. */
  readonly logFile: string;
  /** Nothing new starts after this (epoch ms); requests in progress end by `hardStop`. */
  readonly until: number;
  /** No attempt starts after this (epoch ms). */
  readonly hardStop: number;
  /** How long one request keeps retrying (ms). */
  readonly retryForMs: number;
  /** At most this many logical requests in the whole run. */
  readonly maxRequests: number;
}

/** The advisory links found in caught mail and SMS: advisory id → tokens (one per contact and message). */
class LinkIndex {
  private readonly seen = new Set<string>();
  private smsLines = 0;
  readonly byAdvisory = new Map<string, Set<string>>();

  constructor(private readonly dataDir: string) {}

  scan(): void {
    const mailDir = join(this.dataDir, 'mail');
    if (existsSync(mailDir)) {
      for (const name of readdirSync(mailDir)) {
        if (!name.endsWith('.json') || this.seen.has(name)) continue;
        try {
          this.add((JSON.parse(readFileSync(join(mailDir, name), 'utf8')) as { text?: string }).text ?? '');
          this.seen.add(name);
        } catch {
          // written right now: next scan
        }
      }
    }
    const smsFile = join(this.dataDir, 'sms.jsonl');
    if (existsSync(smsFile)) {
      const lines = readFileSync(smsFile, 'utf8').split('\n');
      // The last line may be half written: only complete lines.
      for (const line of lines.slice(this.smsLines, -1)) {
        try {
          this.add((JSON.parse(line) as { text?: string }).text ?? '');
        } catch {
          // not ours to judge
        }
      }
      this.smsLines = Math.max(this.smsLines, lines.length - 1);
    }
  }

  private add(text: string): void {
    for (const [, token] of text.matchAll(/\/ack\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/g)) {
      if (!token) continue;
      try {
        const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
          adv?: string;
        };
        if (!claims.adv) continue;
        const set = this.byAdvisory.get(claims.adv) ?? new Set<string>();
        set.add(token);
        this.byAdvisory.set(claims.adv, set);
      } catch {
        // not a link token
      }
    }
  }
}

type Json = Record<string, unknown>;

/** The mixed workload: `run(concurrency)` until `until`, every request bounded. */
export class Workload {
  readonly figures: ClientFigures = { requests: 0, byStatus: {}, latencies: [], gaveUp: 0 };
  readonly log: LoggedRequest[] = [];
  private readonly tokens = new Map<string, Promise<string>>();
  private readonly key: Uint8Array;
  private readonly links: LinkIndex;
  private seq = 0;
  /** While true the workload goes on past `until` (the fault schedule is not done yet). */
  holdOpen = false;
  /** Incidents and advisories created so far (for the fault schedule's callbacks). */
  readonly incidents: string[] = [];
  readonly advisories: string[] = [];
  /** Incidents the fault schedule asked for (`hold`), not yet handed over. */
  private readonly holdRequests: HoldRequest[] = [];

  constructor(private readonly options: WorkloadOptions) {
    this.key = localSigningKey(options.dataDir);
    this.links = new LinkIndex(options.dataDir);
  }

  private token(role: string, org?: string, sub?: string): Promise<{ token: string; sub: string }> {
    const subject = sub ?? `soak-${role}${org ? `-${org}` : ''}`;
    const id = `${role}/${org ?? ''}/${subject}`;
    let token = this.tokens.get(id);
    if (!token) {
      token = issueLocalToken(this.key, { role: role as 'member', ...(org ? { org } : {}), sub: subject });
      this.tokens.set(id, token);
    }
    return token.then((t) => ({ token: t, sub: subject }));
  }

  /**
   * Asks the next incident session to stop before the secretariat's approval (the relay then waits
   * at the secretariat's hop, its task token recorded) until `release` is called, or `maxHoldMs`
   * passes. Resolves with that incident, or null when none came within `timeoutMs`.
   */
  hold(timeoutMs: number, maxHoldMs: number): Promise<HeldIncident | null> {
    return new Promise((resolve) => {
      const request: HoldRequest = {
        maxHoldMs,
        expired: false,
        take: (held) => {
          clearTimeout(timer);
          resolve(held);
        },
      };
      const timer = setTimeout(() => {
        request.expired = true;
        const i = this.holdRequests.indexOf(request);
        if (i >= 0) this.holdRequests.splice(i, 1);
        resolve(null);
      }, timeoutMs);
      this.holdRequests.push(request);
    });
  }

  private get open(): boolean {
    return (
      (Date.now() < this.options.until || (this.holdOpen && Date.now() < this.options.hardStop)) &&
      this.seq < this.options.maxRequests
    );
  }

  /**
   * One logical request: attempts until a 2xx or a 4xx other than 429, retrying network errors, 5xx and
   * 429 with backoff (the same Idempotency-Key each time) for at most `retryForMs`.
   */
  async request(
    kind: CommandKind | 'read',
    method: string,
    path: string,
    auth: { token: string; sub: string } | null,
    body?: unknown,
    extra: { nonce?: string; streamId?: string; idempotent?: boolean } = {},
  ): Promise<{ status: number; body: Json }> {
    const seq = ++this.seq;
    this.figures.requests++;
    const key =
      kind !== 'read' && extra.idempotent !== false ? `soak-${this.options.seed}-${seq}` : undefined;
    const attempts: (number | 'network')[] = [];
    const started = Date.now();
    let status = 0;
    let parsed: Json = {};
    let answeredAt = started;
    for (let attempt = 0; ; attempt++) {
      const t0 = performance.now();
      try {
        const res = await fetch(`${this.options.url}${path}`, {
          method,
          headers: {
            ...(auth ? { authorization: `Bearer ${auth.token}` } : {}),
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...(key ? { 'idempotency-key': key } : {}),
            accept: 'application/json',
          },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          signal: AbortSignal.timeout(30_000),
        });
        const text = await res.text();
        this.figures.latencies.push(performance.now() - t0);
        status = res.status;
        try {
          parsed = text ? (JSON.parse(text) as Json) : {};
        } catch {
          parsed = {};
        }
        attempts.push(status);
      } catch {
        attempts.push('network');
        status = 0;
      }
      answeredAt = Date.now();
      const outcome = status === 0 ? 'network' : String(status);
      this.figures.byStatus[outcome] = (this.figures.byStatus[outcome] ?? 0) + 1;
      const retry = status === 0 || status >= 500 || status === 429;
      const now = Date.now();
      if (!retry || now - started > this.options.retryForMs || now > this.options.hardStop) break;
      await sleep(Math.min(2000, 100 * 2 ** attempt));
    }
    if (status < 200 || status >= 300) this.figures.gaveUp += retryable(status) ? 1 : 0;
    const entry: LoggedRequest = {
      seq,
      kind,
      method,
      path,
      ...(key ? { key } : {}),
      ...(extra.nonce ? { nonce: extra.nonce } : {}),
      ...(extra.streamId ? { streamId: extra.streamId } : {}),
      sub: auth?.sub ?? 'anonymous',
      status,
      attempts,
      ...(status >= 200 && status < 300
        ? {
            answer: {
              ...(typeof parsed.id === 'string' ? { id: parsed.id } : {}),
              ...(typeof parsed.version === 'number' ? { version: parsed.version } : {}),
              ...(typeof parsed.status === 'string' ? { status: parsed.status } : {}),
              ...(typeof parsed.contactId === 'string' ? { contactId: parsed.contactId } : {}),
            },
          }
        : {}),
      at: new Date(started).toISOString(),
      answeredAt: new Date(answeredAt).toISOString(),
    };
    if (kind !== 'read') {
      this.log.push(entry);
      appendFileSync(this.options.logFile, `${JSON.stringify(entry)}\n`);
    }
    return { status, body: parsed };
  }

  /** Runs `concurrency` sessions until the workload closes. */
  async run(concurrency: number): Promise<void> {
    const scanner = setInterval(() => this.links.scan(), 1000);
    try {
      await Promise.all(Array.from({ length: concurrency }, (_, i) => this.session(i)));
    } finally {
      clearInterval(scanner);
    }
  }

  private async session(index: number): Promise<void> {
    const random = prng(this.options.seed * 1000 + index);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    let n = 0;
    while (this.open) {
      const roll = random();
      const nonce = `soak-${this.options.seed}-${index}-${++n}`;
      try {
        if (roll < 0.7) await this.incident(nonce, random, pick);
        else if (roll < 0.9) await this.advisory(nonce, random, pick);
        else await this.audit(random, pick);
      } catch (error) {
        // A scenario's own bug must not stop the others; it shows in the figures as an error.
        this.figures.byStatus.client = (this.figures.byStatus.client ?? 0) + 1;
        process.stderr.write(`[soak] session ${index}: ${(error as Error).message}\n`);
      }
    }
  }

  private async incident(nonce: string, random: () => number, pick: <T>(items: readonly T[]) => T) {
    // A hold (the fault schedule's callbacks) is taken before the report, so that its incident can be a
    // low one: its secretariat's deadline (72 h, 12 min at the soak's time scale) keeps the relay's wait
    // open while it is held. A hold this session does not hand over goes back for the next one.
    const hold = this.holdRequests.shift();
    const handed = { done: false };
    try {
      await this.incidentSteps(nonce, random, pick, hold, handed);
    } finally {
      if (hold && !handed.done && !hold.expired) this.holdRequests.unshift(hold);
    }
  }

  private async incidentSteps(
    nonce: string,
    random: () => number,
    pick: <T>(items: readonly T[]) => T,
    hold: HoldRequest | undefined,
    handed: { done: boolean },
  ) {
    const org = pick(this.options.members);
    const member = await this.token('member', org);
    const picked = pick(['low', 'medium', 'medium', 'high', 'critical'] as const);
    const severity = hold ? 'low' : picked;
    const reported = await this.request(
      'report',
      'POST',
      '/incidents',
      member,
      { ...REPORT_EXAMPLE, title: `Soak ${nonce}`, severity },
      { nonce },
    );
    const id = reported.body.id;
    if (reported.status !== 201 || typeof id !== 'string') return;
    this.incidents.push(id);
    const streamId = `incident#${id}`;
    const path = `/incidents/${id}`;
    const read = async () => {
      if (random() < 0.3) await this.request('read', 'GET', path, member);
      if (random() < 0.15) {
        await this.request(
          'read',
          'GET',
          `/audit/streams/${encodeURIComponent(streamId)}`,
          await this.token('auditor'),
        );
      }
    };
    await read();
    if (random() < 0.4 && this.open) {
      const text = `${nonce} follow-up`;
      await this.request(
        'follow-up',
        'POST',
        `${path}/follow-ups`,
        member,
        { description: text, recoveryStatus: 'investigating' },
        { nonce: text, streamId },
      );
    }
    if (!this.open) return;
    const secretariat = await this.token('secretariat');
    if (random() < 0.1) {
      const returned = await this.request(
        'return',
        'POST',
        `${path}/decision`,
        secretariat,
        { decision: 'return', note: `${nonce} more detail` },
        { streamId },
      );
      if (returned.status !== 200 || !this.open) return;
      const text = `${nonce} resubmitted`;
      await this.request(
        'follow-up',
        'POST',
        `${path}/follow-ups`,
        member,
        { description: text, recoveryStatus: 'mitigating' },
        { nonce: text, streamId },
      );
      if (!this.open) return;
    }
    if (hold && !hold.expired) {
      // The fault schedule's callbacks need a relay waiting at a hop: the secretariat has not approved yet.
      let release = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      hold.take({ id, release });
      handed.done = true;
      await Promise.race([released, sleep(hold.maxHoldMs)]);
      if (!this.open) return;
    }
    const approved = await this.request(
      'approve',
      'POST',
      `${path}/decision`,
      secretariat,
      { decision: 'approve' },
      { streamId },
    );
    if (approved.status !== 200 || !this.open) return;
    await read();
    const ministry = await this.request(
      'receipt-ministry',
      'POST',
      `${path}/receipt`,
      await this.token('ministry'),
      {},
      { streamId },
    );
    if (ministry.status !== 200 || !this.open) return;
    const nisc = await this.request(
      'receipt-nisc',
      'POST',
      `${path}/receipt`,
      await this.token('nisc'),
      { note: nonce },
      { streamId },
    );
    if (nisc.status !== 200 || !this.open) return;
    await read();
    if (random() < 0.3) await this.request('close', 'POST', `${path}/close`, member, undefined, { streamId });
  }

  private async advisory(nonce: string, random: () => number, pick: <T>(items: readonly T[]) => T) {
    const nisc = await this.token('nisc');
    const issued = await this.request(
      'advisory',
      'POST',
      '/advisories',
      nisc,
      {
        ...ADVISORY_EXAMPLE,
        title: `Soak ${nonce}`,
        // At the soak's time scale a 1-hour window closes within seconds: reminders and misses happen too.
        ackWithinHours: random() < 0.2 ? 1 : 4,
      },
      { nonce },
    );
    const id = issued.body.id;
    if (issued.status !== 201 || typeof id !== 'string') return;
    this.advisories.push(id);
    const streamId = `advisory#${id}`;
    const path = `/advisories/${id}`;
    if (!this.open) return;
    const m = await this.request(
      'forward-ministry',
      'POST',
      `${path}/forward`,
      await this.token('ministry'),
      { note: nonce },
      { streamId },
    );
    if (m.status !== 200 || !this.open) return;
    const s = await this.request(
      'forward-secretariat',
      'POST',
      `${path}/forward`,
      await this.token('secretariat'),
      {},
      { streamId },
    );
    if (s.status !== 200 || !this.open) return;
    if (random() < 0.3) {
      const org = pick(this.options.members);
      await this.request(
        'advisory-receipt',
        'POST',
        `${path}/receipt`,
        await this.token('member', org),
        {},
        { streamId: `advisory-recipient#${id}#${org}` },
      );
    }
    // The links arrive by mail once the notifier has delivered: wait for some, bounded.
    const deadline = Date.now() + 15_000;
    let tokens: string[] = [];
    while (Date.now() < deadline && this.open) {
      tokens = [...(this.links.byAdvisory.get(id) ?? [])];
      if (tokens.length >= this.options.members.length) break;
      await sleep(500);
    }
    for (const token of tokens) {
      if (random() > 0.6 || !this.open) continue;
      const org = (
        JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { org: string }
      ).org;
      await this.request('read', 'GET', `/ack/${token}`, null);
      await this.request('ack-link', 'POST', `/ack/${token}`, null, undefined, {
        streamId: `advisory-recipient#${id}#${org}`,
        idempotent: false,
      });
    }
    if (random() < 0.5) await this.request('read', 'GET', path, await this.token('secretariat'));
  }

  private async audit(random: () => number, pick: <T>(items: readonly T[]) => T) {
    const auditor = await this.token('auditor');
    const roll = random();
    if (roll < 0.4 && this.incidents.length > 0) {
      const id = pick(this.incidents);
      await this.request('read', 'GET', `/incidents/${id}/events?limit=100`, auditor);
    } else if (roll < 0.7) {
      const to = new Date().toISOString();
      const from = new Date(Date.now() - 60_000).toISOString();
      await this.request('read', 'GET', `/audit/events?from=${from}&to=${to}&limit=100`, auditor);
    } else if (roll < 0.85) {
      await this.request('read', 'GET', '/incidents?limit=20', await this.token('secretariat'));
    } else {
      await this.request(
        'read',
        'GET',
        '/board?limit=20',
        await this.token('member', pick(this.options.members)),
      );
    }
  }
}

/** An incident held before its approval for the fault schedule ({@link Workload.hold}). */
export interface HeldIncident {
  readonly id: string;
  /** Lets the session go on: the secretariat approves. */
  readonly release: () => void;
}

/** A request of {@link Workload.hold}: the session that takes it hands its incident over, waits at most `maxHoldMs`. */
interface HoldRequest {
  readonly maxHoldMs: number;
  /** Nobody waits for it any more: a session that had taken it does not hold. */
  expired: boolean;
  readonly take: (held: HeldIncident) => void;
}

const retryable = (status: number) => status === 0 || status >= 500 || status === 429;
