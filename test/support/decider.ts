import { expect } from 'vitest';
import type { Actor } from '../../events/actor.ts';
import { type DecisionContext, decide, type IncidentCommand } from '../../events/incident/decide.ts';
import {
  evolve,
  type IncidentEvent,
  initialState,
  type MaybeIncident,
} from '../../events/incident/incident.ts';
import { POLICY } from './fixtures.ts';

type Given = { event: IncidentEvent; at: string; actor: Actor };

/** Folds given events (with their time and actor) into a state. */
export function given(history: Given[]): MaybeIncident {
  return history.reduce<MaybeIncident>(
    (state, g, i) => evolve(state, { ...g.event, version: i + 1, recordedAt: g.at, actor: g.actor }),
    initialState(),
  );
}

/** Given these events, when this command (by this actor at this time): the events or the error. */
export function spec(history: Given[]) {
  const state = given(history);
  return {
    state,
    when(command: IncidentCommand, actor: Actor, now: string, reporting?: DecisionContext['reporting']) {
      const ctx: DecisionContext = { now, actor, policy: POLICY, ...(reporting ? { reporting } : {}) };
      const run = () => decide(command, state, ctx);
      return {
        thenEvents: (expected: IncidentEvent[]) => expect(run()).toEqual(expected),
        thenNothing: () => expect(run()).toEqual([]),
        thenThrows: (errorClass: new (...args: never[]) => Error, message?: RegExp) => {
          expect(run).toThrow(errorClass);
          if (message) expect(run).toThrow(message);
        },
        events: run,
      };
    },
  };
}
