import type { Folding } from '../store/command-runner.ts';
import type { StoredEvent } from '../store/event-store.ts';

/** A stream replayed up to a moment: the state then, and the events that made it. */
export interface Replay {
  readonly streamId: string;
  readonly asOf: string | null;
  /** The last version recorded at or before `asOf`; 0 when the stream did not exist yet. */
  readonly version: number;
  /** null when the stream did not exist yet, or its type has no folding registered. */
  readonly state: unknown;
  readonly events: StoredEvent[];
}

/**
 * Folds a stream's events recorded at or before `asOf` (all when null), upcasting old
 * schema versions; the state is what any reader would have seen at that moment.
 */
export async function replayStream(
  streamId: string,
  events: AsyncIterable<StoredEvent> | Iterable<StoredEvent>,
  // biome-ignore lint/suspicious/noExplicitAny: any aggregate's folding
  folding: Folding<any, any> | undefined,
  asOf: string | null,
): Promise<Replay> {
  let state: unknown = folding ? folding.initialState() : null;
  let version = 0;
  const kept: StoredEvent[] = [];
  for await (const event of events) {
    // Recorded times never run backwards within a stream: the first later one ends the replay.
    if (asOf !== null && event.recordedAt > asOf) break;
    if (folding) state = folding.evolve(state, folding.upcast(event));
    version = event.version;
    kept.push(event);
  }
  return { streamId, asOf, version, state, events: kept };
}
