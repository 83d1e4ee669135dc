import type { Actor } from '../../events/actor.ts';
import { type AuditGroup, groupsOfSectors } from '../../events/audit/partitions.ts';
import { sectorIds } from '../../events/sector/catalog.ts';
import { visibleSectors } from '../../events/sector/visibility.ts';
import { advisoryOfRecipient } from '../aggregates/advisories.ts';
import { eventsTable } from '../runtime/config.ts';
import { DynamoDbBatchHeadReader } from '../store/batch-heads.ts';
import type { StreamHead } from '../store/event-store.ts';
import { streamTypeOf } from './audit-aggregates.ts';
import { auditClient } from './audit-http.ts';
import { canSeeStream } from './sector-lists.ts';

/** What the scope reads: many heads by stream id at once (DynamoDbBatchHeadReader). */
export interface HeadBatchReader {
  loadHeads<T>(streamIds: readonly string[]): Promise<Map<string, StreamHead<T>>>;
}

/**
 * Which streams an auditor may read in the audit routes (docs/ARCHITECTURE.md, "Audit across
 * sectors"). An auditor who sees every sector reads every stream without a lookup. One granted
 * fewer reads a stream only when its sector is one of theirs: a sector's own stream by its id;
 * an incident, advisory, activity, plan, survey response or organisation by its head's state, a
 * survey or exercise only when every sector it spans is theirs (canSeeStream); an advisory
 * recipient by its advisory's. A stream whose head is not projected yet, or of a type whose
 * sector is not known, is outside the scope: the audit fails closed.
 */
export class AuditScope {
  /** Decided streams (true: visible), so a stream met on many pages is read once per request. */
  private readonly decided = new Map<string, boolean>();

  constructor(
    private readonly actor: Actor,
    private readonly reader: HeadBatchReader,
  ) {}

  /** True when the caller sees every sector: nothing is filtered. */
  get everything(): boolean {
    return visibleSectors(this.actor).length === sectorIds.length;
  }

  /**
   * The audit groups whose index partitions hold every stream the caller may see: its sectors' and
   * `shared` (events/audit/partitions.ts keeps a stream under the sector that makes it visible).
   */
  get groups(): readonly AuditGroup[] {
    return groupsOfSectors(visibleSectors(this.actor));
  }

  /** The stream ids among `streamIds` the caller may read (every one when it sees every sector). */
  async visible(streamIds: Iterable<string>): Promise<Set<string>> {
    const ids = [...new Set(streamIds)];
    if (this.everything) return new Set(ids);
    // A recipient stream is decided by its advisory: read that head instead.
    const target = (id: string) => advisoryOfRecipient(id) ?? id;
    const missing = [...new Set(ids.map(target))].filter((id) => !this.decided.has(id));
    const headed = missing.filter((id) => streamTypeOf(id) !== 'sector');
    const heads = headed.length ? await this.reader.loadHeads<unknown>(headed) : new Map();
    for (const id of missing) {
      const type = streamTypeOf(id);
      const state = type === 'sector' ? {} : (heads.get(id)?.state ?? null);
      this.decided.set(id, canSeeStream(this.actor, id, type, state));
    }
    return new Set(ids.filter((id) => this.decided.get(target(id)) === true));
  }

  /** Whether the caller may read one stream. */
  async sees(streamId: string): Promise<boolean> {
    return (await this.visible([streamId])).has(streamId);
  }

  /** The items of `source` on streams the caller may read, in order, deciding a batch at a time. */
  async *filter<T extends { streamId: string }>(source: AsyncIterable<T>, batch = 500): AsyncIterable<T> {
    let pending: T[] = [];
    const flush = async () => {
      const ok = await this.visible(pending.map((e) => e.streamId));
      const out = pending.filter((e) => ok.has(e.streamId));
      pending = [];
      return out;
    };
    for await (const item of source) {
      pending.push(item);
      if (pending.length >= batch) yield* await flush();
    }
    if (pending.length) yield* await flush();
  }
}

/**
 * The streams this caller may read in the audit routes. Its own module beside audit-http, so
 * that only the routes that filter carry dynamodb:BatchGetItem (not the scheduled checkpoint).
 */
export const auditScope = (actor: Actor): AuditScope =>
  new AuditScope(actor, new DynamoDbBatchHeadReader(auditClient, eventsTable));
