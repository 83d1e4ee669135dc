// The inputs of a fiscal-year report for the unit tests (annual-report.unit) and the PDF printed as Lambda
// would (report-pdf-lambda.int): eleven members, two incidents, a drill, an advisory, activities, an exercise.
import type { ActivityState } from '../../events/activity/activity.ts';
import type { Actor } from '../../events/actor.ts';
import type { AdvisoryState, RecipientState } from '../../events/advisory/advisory.ts';
import { transmissionReport } from '../../events/advisory/report.ts';
import { evolve, type IncidentState, initialState } from '../../events/incident/incident.ts';
import { fiscalYearRange } from '../../events/report/fiscal-year.ts';
import { advisories, recipients } from '../../functions/aggregates/advisories.ts';
import type { AnnualReportInputs } from '../../functions/reports/annual-report.ts';
import { decideAndFold } from '../../functions/store/command-runner.ts';
import { ASAHI_MEMBER, at, HOURS, POLICY, RANSOMWARE_REPORT, REPORTED } from './fixtures.ts';

const SECRETARIAT: Actor = { kind: 'user', sub: 'u-sec', role: 'secretariat' };
const MEMBERS = ['m01', 'm02', 'm03', 'm04', 'm05', 'm06', 'm07', 'm08', 'm09', 'm10', 'm11'];

/** An advisory issued at `issuedAt` and the members' acknowledgements `ackAfterHours` later (null: none). */
function advisory(
  id: string,
  issuedAt: string,
  drill: boolean,
  ackAfterHours: (number | null)[],
  actor = SECRETARIAT,
) {
  const command = {
    type: 'IssueAdvisory' as const,
    data: {
      advisoryId: id,
      sector: 'chemical' as const,
      title: drill ? '【訓練】セプター訓練' : 'VPN の脆弱性',
      body: 'b',
      tlp: 'GREEN' as const,
      severity: 'medium' as const,
      ackWithinHours: 48,
      audience: 'all' as const,
      drill,
      roster: { members: MEMBERS, logins: {} },
    },
  };
  const state = decideAndFold(advisories, null, 0, command, { now: issuedAt, actor, policy: POLICY })
    .state as AdvisoryState;
  const rs = MEMBERS.flatMap((org, i) => {
    const hours = ackAfterHours[i];
    if (hours === null || hours === undefined) return [];
    const member: Actor = { kind: 'user', sub: `u-${org}`, role: 'member', org };
    return [
      decideAndFold(
        recipients,
        null,
        0,
        { type: 'Acknowledge', data: { advisoryId: id, org, contactId: null, via: 'api' } },
        { now: at(issuedAt, hours * HOURS), actor: member, policy: POLICY, advisory: state },
      ).state as RecipientState,
    ];
  });
  return { state, report: transmissionReport(state, rs) };
}

function incident(
  id: string,
  createdAt: string,
  category: 'cyber_attack' | 'system_failure',
  severity: 'high' | 'low',
) {
  return evolve(initialState(), {
    ...REPORTED.event,
    data: { ...REPORTED.event.data, incidentId: id, report: { ...RANSOMWARE_REPORT, category, severity } },
    version: 1,
    recordedAt: createdAt,
    actor: ASAHI_MEMBER,
  }) as IncidentState;
}

export const activity = (
  id: string,
  date: string,
  kind: ActivityState['kind'],
  title = `${kind} ${date}`,
): ActivityState => ({
  id,
  sector: 'chemical',
  date,
  kind,
  title,
  participants: { organizations: [], people: [] },
  note: '',
  recordedAt: '2016-04-10T00:00:00.000Z',
  recordedBy: 'u-sec',
  minutes: [],
  version: 1,
});

export const inputs = (over: Partial<AnnualReportInputs> = {}): AnnualReportInputs => ({
  sector: 'chemical',
  sectorNames: { ja: '化学CEPTOAR', en: 'Chemical CEPTOAR' },
  members: 11,
  fiscalYear: 2015,
  period: fiscalYearRange(2015),
  asOf: null,
  checkpoint: {
    id: '2016-04-01T00-00-00-000Z',
    createdAt: '2016-04-01T00:00:00.000Z',
    treeSize: 42,
    rootHash: 'ab'.repeat(32),
    algorithm: 'Ed25519',
    keyId: 'ed25519:0123456789abcdef',
  },
  incidents: [
    incident('00000000-0000-4000-8000-000000000002', '2015-09-01T00:00:00.000Z', 'system_failure', 'low'),
    incident('00000000-0000-4000-8000-000000000001', '2015-06-01T00:00:00.000Z', 'cyber_attack', 'high'),
  ],
  compliance: { rows: [], stages: [] },
  advisories: [
    // Ten members within hours, the eleventh after 25 h: inside the 48 h window, not within one day.
    advisory(
      '00000000-0000-4000-8000-0000000000d1',
      '2015-08-20T01:00:00.000Z',
      true,
      [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 25],
    ),
    advisory('00000000-0000-4000-8000-0000000000a1', '2015-05-10T01:00:00.000Z', false, [1, 2, 3, null]),
  ],
  activities: [
    activity('a3', '2016-02-19', 'wg-meeting'),
    activity('a1', '2015-06-12', 'wg-meeting'),
    activity('a2', '2015-10-09', 'wg-meeting'),
    activity('a4', '2015-10-09', 'jpcert-exchange'),
  ],
  plan: null,
  surveys: [],
  exercises: [
    {
      id: 'x1',
      title: { ja: '分野横断的演習', en: 'Cross-sector exercise' },
      startedAt: '2015-12-08T00:30:00.000Z',
      sectors: ['gas', 'chemical'],
      participants: [
        { org: 'b', name: 'B', role: 'observer' },
        { org: 'a', name: 'A', role: 'participant' },
      ],
      injects: 3,
      expectedActions: 3,
      actionsOnTime: 3,
      actionsLate: 0,
      actionsMissed: 0,
    },
  ],
  ...over,
});
