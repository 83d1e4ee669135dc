import { type Actor, hasRole } from '../actor.ts';
import { ForbiddenError, IllegalStateError, ValidationError } from '../errors.ts';
import { plainText } from '../fields.ts';
import { relayPolicySchema } from '../policy.ts';
import { type BuiltInPresetId, type ReportingPreset, reportingPresets } from '../reporting.ts';
import * as z from '../zod.ts';
import { isSectorId, ministryIds, ministryOf, type SectorId, sectorIds } from './catalog.ts';

/** The legal-clock preset a sector runs its reporting stages on when it names none. */
export const DEFAULT_PRESET = 'japan-ceptoar';

const name = () =>
  z.string().check(plainText(), z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(200));

/** What a sector is: its names, who runs it, who oversees it, how big it is, and its clocks. */
export const sectorEntrySchema = () =>
  z.strictObject({
    names: z.strictObject({ ja: name(), en: name() }),
    /** The directory id of the organisation that runs the sector's secretariat (事務局). */
    secretariat: z
      .string()
      .check(z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be an organisation id such as secretariat')),
    ministry: z.enum(ministryIds),
    /** How many members the sector has (the seed map's count), not how many the directory lists. */
    members: z.int().check(z.minimum(0), z.maximum(100_000)),
    /** The sector's own relay deadlines, where they differ from the deployment's. */
    relayPolicy: z.optional(relayPolicySchema()),
    /** The id of the legal-clock preset of its reporting stages. */
    preset: z._default(
      z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a preset id such as japan-ceptoar')),
      DEFAULT_PRESET,
    ),
  });
export type SectorEntry = z.output<ReturnType<typeof sectorEntrySchema>>;

/** The events of a sector's stream (`sector#<id>`). */
export type SectorEvent =
  | { type: 'SectorRegistered'; data: { sector: SectorId; entry: SectorEntry } }
  | { type: 'SectorUpdated'; data: { sector: SectorId; entry: SectorEntry } };

/** A sector as folded from its stream. */
export interface SectorState {
  readonly id: SectorId;
  readonly entry: SectorEntry;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
}
export type MaybeSector = SectorState | null;

/**
 * Commands on a sector. `SeedSector` registers a missing sector (the local stack's start) and
 * leaves an existing one alone; `UpdateSector` is NISC's change of a sector's entry.
 */
export type SectorCommand =
  | { type: 'SeedSector'; data: { sector: string; entry: unknown } }
  | { type: 'UpdateSector'; data: { sector: string; entry: unknown } };

export const initialSector = (): MaybeSector => null;

/** Folds one sector event. */
export function evolveSector(
  state: MaybeSector,
  event: SectorEvent & { version: number; recordedAt: string },
): MaybeSector {
  switch (event.type) {
    case 'SectorRegistered':
      return {
        id: event.data.sector,
        entry: event.data.entry,
        createdAt: event.recordedAt,
        updatedAt: event.recordedAt,
        version: event.version,
      };
    case 'SectorUpdated':
      if (state === null) return state;
      return { ...state, entry: event.data.entry, updatedAt: event.recordedAt, version: event.version };
    default: {
      const _never: never = event;
      return _never;
    }
  }
}

function parseEntry(sector: string, entry: unknown): { sector: SectorId; entry: SectorEntry } {
  const fields: { path: string; message: string }[] = [];
  if (!isSectorId(sector)) fields.push({ path: 'sector', message: `must be one of ${sectorIds.join(', ')}` });
  const parsed = sectorEntrySchema().safeParse(entry);
  if (!parsed.success)
    fields.push(
      ...parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message })),
    );
  // Visibility reads the allocation from the catalog, so an entry may not name another ministry.
  if (parsed.success && isSectorId(sector) && parsed.data.ministry !== ministryOf[sector])
    fields.push({ path: 'ministry', message: `the ministry of ${sector} is ${ministryOf[sector]}` });
  if (fields.length > 0 || !parsed.success || !isSectorId(sector))
    throw new ValidationError('the sector entry is invalid', fields);
  return { sector, entry: parsed.data };
}

/** Decides a sector change. Pure; an unchanged entry or a repeated seed is a harmless repeat ([]). */
export function decideSector(
  command: SectorCommand,
  state: MaybeSector,
  ctx: { now: string; actor: Actor },
): SectorEvent[] {
  const data = parseEntry(command.data.sector, command.data.entry);
  switch (command.type) {
    case 'SeedSector':
      if (ctx.actor.kind !== 'system') throw new ForbiddenError('only the system seeds sectors');
      return state === null ? [{ type: 'SectorRegistered', data }] : [];
    case 'UpdateSector':
      if (!hasRole(ctx.actor, 'nisc')) throw new ForbiddenError('only NISC changes a sector');
      if (state === null) throw new IllegalStateError('no such sector to change');
      if (JSON.stringify(state.entry) === JSON.stringify(data.entry)) return [];
      return [{ type: 'SectorUpdated', data }];
    default: {
      const _never: never = command;
      return _never;
    }
  }
}

/** A sector as GET /sectors answers it. */
export const sectorView = (state: SectorState) => ({
  id: state.id,
  names: state.entry.names,
  secretariat: state.entry.secretariat,
  ministry: state.entry.ministry,
  members: state.entry.members,
  preset: state.entry.preset,
  ...(state.entry.relayPolicy ? { relayPolicy: state.entry.relayPolicy } : {}),
});

/**
 * The preset a sector's entry names, as it applies to its new incidents: the default (japan-ceptoar)
 * follows the deployment's preset (CEPTOAR_REPORTING_PRESET, the CDK context reportingPreset), so a
 * deployment that runs NIS2 everywhere needs no sector changed; any other built-in id, or the id of
 * the deployment's custom preset, is the sector's own. null: an id that is neither.
 */
export function presetForSector(id: string, deployment: ReportingPreset): ReportingPreset | null {
  if (id === DEFAULT_PRESET || id === deployment.id) return deployment;
  return (reportingPresets[id as BuiltInPresetId] as ReportingPreset | undefined) ?? null;
}
