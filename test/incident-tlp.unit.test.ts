import { describe, expect, it } from 'vitest';
import type { Actor } from '../events/actor.ts';
import type { IncidentEvent } from '../events/incident/incident.ts';
import { tlpLabels } from '../events/incident/report.ts';
import { canSee } from '../events/incident/visibility.ts';
import { bodyFor, render } from '../functions/notify/templates.ts';
import { given } from './support/decider.ts';
import {
  ASAHI_COLLEAGUE,
  ASAHI_MEMBER,
  AUDITOR,
  at,
  HOURS,
  INCIDENT_ID,
  KAIGAN_MEMBER,
  MINISTRY,
  NISC,
  RANSOMWARE_REPORT,
  SECRETARIAT,
  T0,
} from './support/fixtures.ts';

// Incidents under TLP 2.0: whatever the label, an incident is shared no wider than the relay
// needs (the reporter's organisation, the secretariat, the hops it reached, auditors), which
// is within every label; a label only ever narrows what leaves the system by e-mail or SMS.
const relayedToMinistry = (tlp: (typeof tlpLabels)[number]) =>
  given([
    {
      event: {
        type: 'IncidentReported',
        data: {
          incidentId: INCIDENT_ID,
          org: 'asahi-petrochem',
          reportedBy: 'u-asahi-1',
          report: { ...RANSOMWARE_REPORT, tlp },
          secretariatDueAt: at(T0, 4 * HOURS),
        },
      } satisfies IncidentEvent,
      at: T0,
      actor: ASAHI_MEMBER,
    },
    {
      event: { type: 'RelayApproved', data: { ministryDueAt: at(T0, 5 * HOURS) } },
      at: at(T0, HOURS),
      actor: SECRETARIAT,
    },
  ]);

const roles: [string, Actor, boolean][] = [
  ['the reporter', ASAHI_MEMBER, true],
  ['a colleague at the reporting company', ASAHI_COLLEAGUE, true],
  ['another member', KAIGAN_MEMBER, false],
  ['the secretariat', SECRETARIAT, true],
  ['the ministry (reached)', MINISTRY, true],
  ['NISC (not reached yet)', NISC, false],
  ['an auditor', AUDITOR, true],
];

describe.each(tlpLabels)('an incident labelled TLP:%s', (tlp) => {
  const state = relayedToMinistry(tlp);
  it.each(roles)('is visible to %s: %s', (_name, actor, expected) => {
    if (state === null) throw new Error('no incident');
    expect(canSee(state, actor)).toBe(expected);
  });

  it.each(['ja', 'en'] as const)(
    'leaves the system by e-mail and SMS only as far as the label allows (%s)',
    (lang) => {
      const message = render(
        {
          purpose: 'relay',
          incidentId: INCIDENT_ID,
          title: RANSOMWARE_REPORT.title,
          severity: 'high',
          tlp,
          hop: 'ministry',
          dueAt: at(T0, 5 * HOURS),
          escalation: null,
          link: `https://relay.example/incidents/${INCIDENT_ID}`,
        },
        lang,
      );
      const withheld = tlp === 'RED' || tlp === 'AMBER+STRICT';
      expect(bodyFor(message, 'email').includes(RANSOMWARE_REPORT.title)).toBe(!withheld);
      expect(bodyFor(message, 'sms')).not.toContain(RANSOMWARE_REPORT.title);
      expect(message.subject).toContain(`[TLP:${tlp}]`);
    },
  );
});
