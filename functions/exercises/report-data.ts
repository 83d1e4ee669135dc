import type { AdvisoryEvent } from '../../events/advisory/advisory.ts';
import type { ExerciseState } from '../../events/exercise/exercise.ts';
import { type ExerciseReport, exerciseReport, type ObservedAction } from '../../events/exercise/report.ts';
import type { IncidentEvent, Recorded } from '../../events/incident/incident.ts';
import type { SectorId } from '../../events/sector/catalog.ts';
import { advisories, loadRecipients } from '../aggregates/advisories.ts';
import { exercises } from '../aggregates/exercises.ts';
import { incidents } from '../aggregates/incidents.ts';
import { sectors } from '../aggregates/sectors.ts';
import { loadAggregate } from '../store/command-runner.ts';
import type { EventReader } from '../store/event-store.ts';
import { injectSubjectId } from './exercise-subject.ts';

/** The exercise as its log stood at `asOf` (its events recorded then or before, folded), or null. */
export async function exerciseAsOf(
  reader: EventReader,
  id: string,
  asOf: string,
): Promise<ExerciseState | null> {
  let state = exercises.initialState();
  for await (const stored of reader.readEvents(exercises.streamId(id))) {
    if (stored.recordedAt > asOf) break;
    state = exercises.evolve(state, exercises.upcast(stored));
  }
  return state;
}

/** What the normal system recorded on one released inject's incident or advisory, up to `asOf`. */
async function observedActions(
  reader: EventReader,
  state: ExerciseState,
  injectId: string,
  asOf: string,
): Promise<ObservedAction[]> {
  const released = state.released[injectId];
  if (!released) return [];
  const id = injectSubjectId(state.id, injectId);
  const out: ObservedAction[] = [];
  if (released.kind === 'incident') {
    let reporter = '';
    for await (const stored of reader.readEvents(incidents.streamId(id))) {
      if (stored.recordedAt > asOf) break;
      const e = incidents.upcast(stored) as Recorded<IncidentEvent>;
      const at = e.recordedAt;
      if (e.type === 'IncidentReported') reporter = e.data.org;
      else if (e.type === 'FollowUpAdded') out.push({ injectId, role: 'member', org: reporter, at });
      else if (e.type === 'RelayApproved') out.push({ injectId, role: 'secretariat', org: actorOrg(e), at });
      else if (e.type === 'ReceiptAcknowledged')
        out.push({ injectId, role: e.data.hop, org: actorOrg(e), at });
    }
    return out;
  }
  for await (const stored of reader.readEvents(advisories.streamId(id))) {
    if (stored.recordedAt > asOf) break;
    const e = advisories.upcast(stored) as Recorded<AdvisoryEvent>;
    if (e.type === 'AdvisoryForwarded')
      out.push({ injectId, role: e.data.hop, org: actorOrg(e), at: e.recordedAt });
  }
  for (const r of await loadRecipients(reader, id))
    for (const a of r.acknowledgements)
      if (a.at <= asOf) out.push({ injectId, role: 'member', org: r.org, at: a.at });
  return out;
}

const actorOrg = (e: { actor: { kind: string } & { org?: string } }) => e.actor.org ?? '';

/** Each exercise sector's secretariat organisation, from the sector streams. */
async function secretariats(reader: EventReader, list: readonly SectorId[]) {
  const entries = await Promise.all(
    list.map(async (s) => [s, (await loadAggregate(reader, sectors, s)).state?.entry.secretariat] as const),
  );
  return Object.fromEntries(entries.filter(([, org]) => org !== undefined)) as Partial<
    Record<SectorId, string>
  >;
}

/**
 * The after-action report of an exercise as the log stood at `asOf`: the same figures at any later
 * date, because only events recorded by then are read (acknowledgements by their own times).
 */
export async function loadExerciseReport(
  reader: EventReader,
  state: ExerciseState,
  asOf: string,
): Promise<ExerciseReport> {
  const actions = (
    await Promise.all(Object.keys(state.released).map((i) => observedActions(reader, state, i, asOf)))
  ).flat();
  return exerciseReport({
    state,
    asOf,
    actions,
    secretariatOf: await secretariats(reader, state.sectors),
    subjectIdOf: (injectId) => injectSubjectId(state.id, injectId),
  });
}
