import {
  decideFork,
  evolveFork,
  type ForkChildRead,
  type ForkCommand,
  type ForkContext,
  type ForkEvent,
  type ForkState,
  initialFork,
  type MaybeFork,
} from '../../events/advisory/fork.ts';
import { type Aggregate, loadAggregate } from '../store/command-runner.ts';
import type { EventReader } from '../store/event-store.ts';
import { upcastV1 } from '../store/upcast.ts';
import { advisories, loadRecipients } from './advisories.ts';

/** The stream type (and byType partition) of advisories to several sectors: `advisory-fork#<id>`. */
export const FORK_STREAM = 'advisory-fork';

/** An advisory to several sectors (events/advisory/fork.ts): the parent of one advisory per sector. */
export const forks: Aggregate<MaybeFork, ForkEvent, ForkCommand, ForkContext> = {
  streamType: FORK_STREAM,
  stateSchema: 1,
  eventSchema: 1,
  streamId: (id) => `${FORK_STREAM}#${id}`,
  initialState: initialFork,
  evolve: evolveFork,
  decide: decideFork,
  project: (state) => {
    if (state === null) throw new Error('cannot index a fork that does not exist');
    return { listPk: FORK_STREAM, listSk: `${state.createdAt}#${state.id}` };
  },
  upcast: (stored) => upcastV1<ForkEvent>(stored),
};

/** Each child of a fork as it stands: its advisory (null until issued) and its recipients' heads. */
export async function loadForkChildren(reader: EventReader, fork: ForkState): Promise<ForkChildRead[]> {
  return Promise.all(
    fork.children.map(async (child) => {
      const { state } = await loadAggregate(reader, advisories, child.advisoryId);
      const recipients = state?.distributedAt ? await loadRecipients(reader, child.advisoryId) : [];
      return { ...child, state, recipients };
    }),
  );
}
