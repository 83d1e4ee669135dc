import type { Actor } from './actor.ts';

/**
 * Event schema versions. Every stored event carries the schema version it was written
 * with; on read, upcasters lift it step by step to the version the code folds, so a log
 * written by an older release replays under a newer one. Stored events are never rewritten.
 */

/** What an upcaster sees of the stored event besides its data. */
export interface UpcastContext {
  readonly type: string;
  readonly recordedAt: string;
  readonly actor: Actor;
}

/** Lifts one event type's data from `from` to `from + 1`. Pure. */
export interface Upcaster {
  readonly type: string;
  readonly from: number;
  readonly up: (data: unknown, ctx: UpcastContext) => unknown;
}

/** Thrown when an event is newer than the code, or no upcaster covers a step. */
export class UnknownSchemaVersionError extends Error {
  constructor(type: string, version: number, current: number) {
    super(`cannot read ${type} at schema version ${version} (this release reads up to ${current})`);
    this.name = 'UnknownSchemaVersionError';
  }
}

/** The upcasters of one stream type, applied in order from the stored version to `current`. */
export function upcasterRegistry(current: number, upcasters: readonly Upcaster[]) {
  const byStep = new Map(upcasters.map((u) => [`${u.type}@${u.from}`, u]));
  return {
    current,
    /** The data of an event of `type` stored at `version`, as the current schema has it. */
    upcast(data: unknown, version: number, ctx: UpcastContext): unknown {
      if (version > current) throw new UnknownSchemaVersionError(ctx.type, version, current);
      let value = data;
      // A step without an upcaster for this type means the type's shape did not change then.
      for (let v = version; v < current; v++) value = byStep.get(`${ctx.type}@${v}`)?.up(value, ctx) ?? value;
      return value;
    },
  };
}
