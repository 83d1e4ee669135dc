// The write side of the exercise routes; the read side (read.ts) carries no store that writes.
import {
  type ExerciseBody,
  type ExerciseCommand,
  type ExerciseState,
  exerciseView,
} from '../../events/exercise/exercise.ts';
import { loadDirectory } from '../aggregates/directory.ts';
import { exercises } from '../aggregates/exercises.ts';
import type { HttpRequest, HttpResponse } from '../http/http.ts';
import { httpCommand } from '../http/http-command.ts';
import type { EventReader } from '../store/event-store.ts';
import { injectSubjectId } from './exercise-subject.ts';

export { exerciseIdFrom } from './read.ts';

/** The participants' directory entries (their sector, kind and name), read from each exercise sector's partition. */
export async function participantsDirectory(
  reader: EventReader,
  body: ExerciseBody,
): Promise<Extract<ExerciseCommand, { type: 'PrepareExercise' }>['data']['directory']> {
  const wanted = new Set(body.participants.map((p) => p.org));
  const out: Record<string, { sector: ExerciseState['sectors'][number] | null; kind: string; name: string }> =
    {};
  for (const sector of body.sectors) {
    const dir = await loadDirectory(reader, sector);
    for (const [org, entry] of Object.entries(dir.organizations))
      if (wanted.has(org) && (entry.kind === 'member' || entry.kind === 'secretariat'))
        out[org] = { sector: entry.sector ?? 'chemical', kind: entry.kind, name: entry.name.ja };
  }
  return out;
}

/**
 * Runs a command on an exercise over HTTP (idempotent per Idempotency-Key) and answers its view; 201 for the one
 * that prepares it, on a stream whose id create-exercise just minted.
 */
export const exerciseCommand = (
  request: HttpRequest<unknown>,
  id: string,
  command: ExerciseCommand,
  status: 200 | 201,
): Promise<HttpResponse> =>
  httpCommand(
    request,
    exercises,
    id,
    command,
    { now: new Date().toISOString(), actor: request.actor },
    {
      status,
      body: (state) => exerciseView(state, (injectId) => injectSubjectId(state.id, injectId)),
      ...(status === 201
        ? { location: (state: ExerciseState) => `/exercises/${state.id}`, newStream: true }
        : {}),
    },
  );
