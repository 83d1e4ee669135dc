import { describe, expect, it } from 'vitest';
import { streamFromExport } from '../audit/export-file.ts';
import { renderTimeline } from '../audit/timeline.ts';
import { verifyExport } from '../audit/verify-run.ts';
import type { IncidentState } from '../events/incident/incident.ts';
import { incidentUpcasters } from '../events/incident/upcast.ts';
import { UnknownSchemaVersionError } from '../events/upcast.ts';
import { incidents } from '../functions/aggregates/incidents.ts';
import { replayStream } from '../functions/audit/audit-replay.ts';
import type { StoredEvent } from '../functions/store/event-store.ts';

// A log written by the pilot release (schema 0): IncidentReported had no reportedBy, and
// HopDeadlineMissed called the escalation number `attempt`. Committed, never regenerated.
const V0_LOG = 'test/fixtures/incident-schema-v0.ndjson';
const STREAM = 'incident#0b7e1d2c-3a4f-4e5d-9c6b-7a8f9e0d1c2b';

async function events(): Promise<StoredEvent[]> {
  const all: StoredEvent[] = [];
  for await (const e of streamFromExport(V0_LOG, STREAM)) all.push(e);
  return all;
}

describe('a log written in an older event schema', () => {
  it('still verifies: upcasting never rewrites what was stored', async () => {
    const outcome = await verifyExport(V0_LOG);
    expect(outcome.failures).toEqual([]);
    expect(outcome).toMatchObject({ ok: true, events: 3, streams: 1 });
    expect((await events()).map((e) => e.schemaVersion)).toEqual([0, 0, 0]);
  });

  it('replays under the current release, old events upcast on read', async () => {
    const replay = await replayStream(STREAM, await events(), incidents, '2025-03-11T00:00:00.000Z');
    const state = replay.state as IncidentState;
    expect(replay.version).toBe(3);
    expect(state.reportedBy).toBe('u-kaigan-7');
    expect(state.status).toBe('awaiting_ministry');
    expect(state.hops.secretariat.escalations).toEqual([
      {
        at: '2025-03-10T05:00:00.000Z',
        escalation: 1,
        missedDueAt: '2025-03-10T05:00:00.000Z',
        nextDueAt: '2025-03-10T09:00:00.000Z',
      },
    ]);
  });

  it('prints its timeline with the missed secretariat deadline', async () => {
    const text = renderTimeline(STREAM, await events(), 'en', '2025-03-11T00:00:00.000Z');
    expect(text).toContain(
      '2025-03-10 10:00:00 JST  v1  IT incident reported — 制御系ネットワークの通信断 [high, TLP:AMBER]',
    );
    expect(text).toMatch(
      /secretariat\s+due 2025-03-10 14:00:00 JST {2}done 2025-03-10 15:30:00 JST \(by u-sec-2\) {2}took 5h 30m {2}\[MISSED, escalations 1\]/,
    );
  });

  it('refuses an event newer than this release instead of misreading it', () => {
    const ctx = {
      type: 'IncidentReported',
      recordedAt: '2030-01-01T00:00:00.000Z',
      actor: { kind: 'system', sub: 's' },
    } as const;
    expect(() => incidentUpcasters.upcast({}, 2, ctx)).toThrow(UnknownSchemaVersionError);
    expect(incidentUpcasters.upcast({ a: 1 }, 1, ctx)).toEqual({ a: 1 });
  });
});
