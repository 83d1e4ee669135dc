import type { Actor } from '../../events/actor.ts';
import type { StoredEvent } from './event-store.ts';

/** A stored event of schema 1 (the only one so far) as the domain reads it; an older shape gets its upcaster here. */
export const upcastV1 = <E extends { type: string; data: unknown }>(stored: StoredEvent) =>
  ({
    type: stored.type,
    data: stored.data,
    version: stored.version,
    recordedAt: stored.recordedAt,
    actor: stored.actor as Actor,
  }) as E & { version: number; recordedAt: string; actor: Actor };
