import { describe, expect, it } from 'vitest';
import { stageComplianceTable } from '../audit/compliance.ts';
import type { IncidentEvent } from '../events/incident/incident.ts';
import { ComplianceReport } from '../functions/audit/audit-compliance.ts';
import type { StoredEvent } from '../functions/store/event-store.ts';
import { ASAHI_MEMBER, at, HOURS, REPORTED, T0 } from './support/fixtures.ts';

// REPORTED: detected 2026-11-26T00:50Z, reported at T0 (01:00Z), no preset recorded (japan-ceptoar):
// 第一報 due 11-27 00:50Z, 続報 due 11-29 00:50Z, 最終報 due 12-26 00:50Z.

const stored = (streamId: string, events: { event: IncidentEvent; at: string }[]): StoredEvent[] =>
  events.map(({ event, at: recordedAt }, i) => ({
    streamId,
    version: i + 1,
    type: event.type,
    data: event.data,
    recordedAt,
    actor: ASAHI_MEMBER,
    schemaVersion: 1,
  }));

const update = (recordedAt: string) => ({
  event: {
    type: 'FollowUpAdded',
    data: {
      number: 1,
      description: 'x',
      recoveryStatus: 'mitigating',
      resubmitted: false,
      stage: 'update',
      details: { impact: 'y' },
    },
  } satisfies IncidentEvent,
  at: recordedAt,
});

describe('per-stage compliance', () => {
  it('counts each stage on time, late, missed or open, for the clocks that started in the period', () => {
    const now = '2026-12-01T00:00:00.000Z';
    const report = new ComplianceReport('2026-11-01T00:00:00.000Z', '2026-11-30T23:59:59.999Z', now);
    // One incident sends its 続報 on time, one late (30 h after the deadline), one never.
    report.addIncident(stored('incident#a', [{ event: REPORTED.event, at: T0 }, update(at(T0, 5 * HOURS))]));
    report.addIncident(stored('incident#b', [{ event: REPORTED.event, at: T0 }, update(at(T0, 78 * HOURS))]));
    // Reported two days after detection: its 第一報 (the report itself) is late.
    report.addIncident(stored('incident#c', [{ event: REPORTED.event, at: at(T0, 48 * HOURS) }]));
    expect(report.stageResult()).toEqual([
      {
        preset: 'japan-ceptoar',
        stage: 'first',
        names: { ja: '第一報', en: 'First report' },
        total: 3,
        met: 2,
        late: 1,
        missed: 0,
        open: 0,
        shareMet: 2 / 3,
      },
      {
        preset: 'japan-ceptoar',
        stage: 'update',
        names: { ja: '続報', en: 'Follow-up report' },
        total: 3,
        met: 1,
        late: 1,
        missed: 1,
        open: 0,
        shareMet: 1 / 3,
      },
      {
        preset: 'japan-ceptoar',
        stage: 'final',
        names: { ja: '最終報', en: 'Final report' },
        total: 3,
        met: 0,
        late: 0,
        missed: 0,
        open: 3,
        shareMet: null,
      },
    ]);
    expect(stageComplianceTable(report.stageResult())).toMatch(
      /japan-ceptoar\s+update\s+続報\s+3\s+1\s+1\s+1\s+0\s+33\.3%/,
    );
  });

  it('leaves out clocks that started outside the period', () => {
    const report = new ComplianceReport(
      '2026-12-01T00:00:00.000Z',
      '2026-12-31T00:00:00.000Z',
      '2027-01-01T00:00:00.000Z',
    );
    report.addIncident(stored('incident#a', [{ event: REPORTED.event, at: T0 }]));
    expect(report.stageResult()).toEqual([]);
  });
});
