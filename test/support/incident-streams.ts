import { randomUUID } from 'node:crypto';
import type { IncidentCommand } from '../../events/incident/decide.ts';
import { incidents } from '../../functions/aggregates/incidents.ts';
import { runCommand } from '../../functions/store/command-runner.ts';
import type { EventStore } from '../../functions/store/event-store.ts';
import { ASAHI_MEMBER, POLICY, RANSOMWARE_REPORT } from './fixtures.ts';

/** A command's context now, as Asahi's member. */
export const memberContext = () => ({ now: new Date().toISOString(), actor: ASAHI_MEMBER, policy: POLICY });

/**
 * An incident reported by Asahi's member, then `count` follow-ups whose description, impact and indicators are
 * each `body()`: its id and the texts sent, in order.
 */
export async function reportWithFollowUps(store: EventStore, count: number, body: () => string) {
  const id = randomUUID();
  await runCommand(
    store,
    incidents,
    id,
    { type: 'ReportIncident', data: { incidentId: id, report: RANSOMWARE_REPORT } },
    memberContext(),
  );
  const sent: { description: string; impact: string; indicators: string }[] = [];
  for (let i = 0; i < count; i++) {
    const data = { description: body(), impact: body(), indicators: body() };
    sent.push(data);
    const command: IncidentCommand = {
      type: 'AddFollowUp',
      data: { ...data, recoveryStatus: 'investigating' },
    };
    await runCommand(store, incidents, id, command, memberContext());
  }
  return { id, sent };
}
