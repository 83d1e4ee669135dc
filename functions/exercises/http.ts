import { NotFoundError } from '../../events/errors.ts';
import {
  canSeeExercise,
  type ExerciseBody,
  type ExerciseCommand,
  type ExerciseState,
  exerciseView,
} from '../../events/exercise/exercise.ts';
import { loadAggregate } from '../commons/command-runner.ts';
import { loadDirectory } from '../commons/directory.ts';
import type { EventReader } from '../commons/event-store.ts';
import { exercises } from '../commons/exercises.ts';
import type { HttpRequest, HttpResponse } from '../commons/http.ts';
import { httpCommand } from '../commons/http-command.ts';
import { uuidFrom } from '../commons/incident-id.ts';

/** The exercise id from the path; anything that is not one of ours is simply not found. */
export const exerciseIdFrom = (request: Pick<HttpRequest<unknown>, 'params'>) =>
  uuidFrom(request, 'exercise');

/** The exercise the caller may see, or 404 (another's exercise is as absent as an unknown one). */
export async function visibleExercise(
  reader: EventReader,
  request: HttpRequest<unknown>,
): Promise<ExerciseState> {
  const { state } = await loadAggregate(reader, exercises, exerciseIdFrom(request));
  if (state === null || !canSeeExercise(state, request.actor)) throw new NotFoundError('no such exercise');
  return state;
}

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

/** Runs a command on an exercise over HTTP (idempotent per Idempotency-Key) and answers its view. */
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
      body: (state) => exerciseView(state),
      ...(status === 201 ? { location: (state: ExerciseState) => `/exercises/${state.id}` } : {}),
    },
  );
