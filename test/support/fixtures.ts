import type { Actor } from '../../events/actor.ts';
import type { IncidentEvent } from '../../events/incident/incident.ts';
import type { Report } from '../../events/incident/report.ts';
import { relayPolicy } from '../../events/policy.ts';
import { reportingPresets } from '../../events/reporting.ts';

/** A member of one fictional company, the reporter in most tests. */
export const ASAHI_MEMBER: Actor = { kind: 'user', sub: 'u-asahi-1', role: 'member', org: 'asahi-petrochem' };
export const ASAHI_COLLEAGUE: Actor = {
  kind: 'user',
  sub: 'u-asahi-2',
  role: 'member',
  org: 'asahi-petrochem',
};
export const KAIGAN_MEMBER: Actor = {
  kind: 'user',
  sub: 'u-kaigan-1',
  role: 'member',
  org: 'kaigan-chemical',
};
export const SECRETARIAT: Actor = { kind: 'user', sub: 'u-sec-1', role: 'secretariat' };
export const MINISTRY: Actor = { kind: 'user', sub: 'u-meti-1', role: 'ministry' };
export const NISC: Actor = { kind: 'user', sub: 'u-nisc-1', role: 'nisc' };
export const AUDITOR: Actor = { kind: 'user', sub: 'u-audit-1', role: 'auditor' };
export const WORKFLOW: Actor = { kind: 'system', sub: 'system:relay-workflow' };

export const INCIDENT_ID = '6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f';
export const T0 = '2026-11-26T01:00:00.000Z';

/** A high-severity ransomware report on plant control systems. */
export const RANSOMWARE_REPORT: Report = {
  title: 'Ransomware on the Chiba plant historian',
  description: 'Files on the historian server were encrypted at 09:40 JST; the DCS is isolated.',
  category: 'cyber_attack',
  severity: 'high',
  occurredAt: '2026-11-26T00:40:00.000Z',
  detectedAt: '2026-11-26T00:50:00.000Z',
  affectedSystems: ['business_it', 'plant_control'],
  tlp: 'AMBER',
  contact: { name: '山田 太郎', email: 'yamada@asahi-petrochem.ceptoar.example', phone: '+81312345678' },
};

/** The default policy: high severity means 4 hours per hop. */
export const POLICY = relayPolicy();
export const HOURS = 3_600_000;
export const at = (base: string, ms: number) => new Date(Date.parse(base) + ms).toISOString();

/** The member's ransomware report at T0, as the first event of a `given` history. */
export const REPORTED = {
  event: {
    type: 'IncidentReported',
    data: {
      incidentId: INCIDENT_ID,
      org: 'asahi-petrochem',
      reportedBy: 'u-asahi-1',
      report: RANSOMWARE_REPORT,
      secretariatDueAt: at(T0, 4 * HOURS),
    },
  } satisfies IncidentEvent,
  at: T0,
  actor: ASAHI_MEMBER,
};
/**
 * A TLP:AMBER advisory that runs slowly: "low" forwards within 72 h and the window is 240 h,
 * so at CEPTOAR_TIME_SCALE=3600 nothing times out while a test walks the chain by hand.
 */
export const VPN_ADVISORY = {
  title: 'Exploited VPN appliance vulnerability',
  body: 'Patch the VPN appliances (CVE-2026-0001) and review their logs since 1 November.',
  tlp: 'AMBER',
  severity: 'low',
  ackWithinHours: 240,
} as const;

const japan = reportingPresets['japan-ceptoar'];
const [firstReport, updateReport] = japan.stages;
/**
 * japan-ceptoar with minute-scale clocks, for a local stack (CEPTOAR_REPORTING_PRESET; stage clocks
 * are legal deadlines, never time-scaled): the 続報 is due 18 s after detection, reminded 9 s before,
 * escalated at its deadline.
 */
export const SHORT_STAGE_CLOCKS = {
  ...japan,
  id: 'short-clocks',
  stages: [firstReport, { ...updateReport, within: { hours: 0.005 }, remindBeforeHours: [0.0025] }],
};
