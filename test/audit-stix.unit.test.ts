import { describe, expect, it } from 'vitest';
import { incidentObject, stixBundle, TLP_2_MARKINGS, tlpMarkingDefinition, uuidV5 } from '../audit/stix.ts';
import {
  type AdvisoryEvent,
  type AdvisoryState,
  evolveAdvisory,
  type MaybeAdvisory,
} from '../events/advisory/advisory.ts';
import type { IncidentState } from '../events/incident/incident.ts';
import type { Tlp } from '../events/incident/report.ts';
import { incidents } from '../functions/aggregates/incidents.ts';
import { replayStream } from '../functions/audit/audit-replay.ts';
import type { StoredEvent } from '../functions/store/event-store.ts';
import { ASAHI_MEMBER, at, INCIDENT_ID, RANSOMWARE_REPORT, SECRETARIAT, T0 } from './support/fixtures.ts';
import { stixViolations } from './support/stix-rules.ts';

async function incident(tlp: Tlp, id = INCIDENT_ID, org = 'asahi-petrochem'): Promise<IncidentState> {
  const events: StoredEvent[] = [
    {
      streamId: `incident#${id}`,
      version: 1,
      type: 'IncidentReported',
      data: {
        incidentId: id,
        org,
        reportedBy: ASAHI_MEMBER.sub,
        report: { ...RANSOMWARE_REPORT, tlp },
        secretariatDueAt: at(T0, 4 * 3_600_000),
      },
      recordedAt: T0,
      actor: ASAHI_MEMBER,
      schemaVersion: 1,
    },
    {
      streamId: `incident#${id}`,
      version: 2,
      type: 'FollowUpAdded',
      data: {
        number: 1,
        description: 'Backups restored; DCS still isolated.',
        recoveryStatus: 'mitigating',
        resubmitted: false,
      },
      recordedAt: at(T0, 3_600_000),
      actor: ASAHI_MEMBER,
      schemaVersion: 1,
    },
    {
      streamId: `incident#${id}`,
      version: 3,
      type: 'RelayApproved',
      data: { ministryDueAt: at(T0, 6 * 3_600_000) },
      recordedAt: at(T0, 2 * 3_600_000),
      actor: SECRETARIAT,
      schemaVersion: 1,
    },
  ];
  return (await replayStream(`incident#${id}`, events, incidents, null)).state as IncidentState;
}

describe('STIX 2.1 export', () => {
  it('writes a bundle whose every object follows the STIX 2.1 rules', async () => {
    const states = [
      await incident('GREEN'),
      await incident('AMBER', '7c9e6679-7425-40de-944b-e07fc1f90ae7'),
      await incident('CLEAR', '9b2f4a1e-1c3d-4e5f-8a7b-6c5d4e3f2a1b', 'kaigan-chemical'),
    ];
    const { bundle, skipped } = stixBundle(states);
    expect(skipped).toBe(0);
    expect(stixViolations(bundle)).toEqual([]);
    const objects = bundle.objects as { type: string }[];
    expect(objects.filter((o) => o.type === 'incident')).toHaveLength(3);
    expect(objects.filter((o) => o.type === 'identity')).toHaveLength(2);
    expect(objects.filter((o) => o.type === 'marking-definition')).toHaveLength(3);
  });

  it('carries the incident core extension and the TLP 2.0 marking as published', async () => {
    const o = incidentObject(await incident('AMBER'));
    expect(o).toMatchObject({
      id: `incident--${INCIDENT_ID}`,
      name: RANSOMWARE_REPORT.title,
      object_marking_refs: ['marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421'],
      extensions: {
        'extension-definition--ef765651-680c-498d-9894-99799f2fa126': {
          extension_type: 'property-extension',
          determination: 'confirmed',
          investigation_status: 'open',
          incident_types: ['cyber-attack'],
        },
      },
    });
    expect(String(o.description)).toContain('[続報 1] Backups restored');
    expect(JSON.stringify(o)).not.toContain(RANSOMWARE_REPORT.contact.email);
    expect(tlpMarkingDefinition('AMBER+STRICT')).toEqual({
      type: 'marking-definition',
      spec_version: '2.1',
      id: TLP_2_MARKINGS['AMBER+STRICT'],
      created: '2022-10-01T00:00:00.000Z',
      name: 'TLP:AMBER+STRICT',
      extensions: {
        'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d': {
          extension_type: 'property-extension',
          tlp_2_0: 'amber+strict',
        },
      },
    });
  });

  it('leaves RED and AMBER+STRICT incidents out', async () => {
    const { bundle, skipped } = stixBundle([
      await incident('RED'),
      await incident('AMBER+STRICT', '7c9e6679-7425-40de-944b-e07fc1f90ae7'),
      await incident('GREEN', '9b2f4a1e-1c3d-4e5f-8a7b-6c5d4e3f2a1b'),
    ]);
    expect(skipped).toBe(2);
    expect((bundle.objects as { id: string }[]).map((o) => o.id)).toContain(
      'incident--9b2f4a1e-1c3d-4e5f-8a7b-6c5d4e3f2a1b',
    );
    expect(stixViolations(bundle)).toEqual([]);
  });

  it('makes UUID v5 identities as RFC 9562 does', () => {
    // The RFC's own example: the DNS namespace and "www.example.com".
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it('rejects what the rules forbid: the checks are not vacuous', () => {
    const good = {
      type: 'identity',
      spec_version: '2.1',
      id: 'identity--2ed6657d-e927-568b-95e1-2665a8aea6a2',
      created: T0,
      modified: T0,
      name: 'x',
    };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...good, id: 'identity--not-a-uuid' }, /id is not identity--<uuid>/],
      [{ ...good, id: 'incident--2ed6657d-e927-568b-95e1-2665a8aea6a2' }, /id is not identity--<uuid>/],
      [{ ...good, created: '2026-11-26T01:00:00+09:00' }, /created .* is not a STIX timestamp/],
      [{ ...good, modified: '2026-11-26T01:00:00Z' }, /millisecond/],
      [{ ...good, modified: '2020-01-01T00:00:00.000Z' }, /modified is before created/],
      [{ ...good, name: undefined }, /required property name/],
      [{ ...good, spec_version: '2.0' }, /spec_version/],
      [{ ...good, object_marking_refs: [TLP_2_MARKINGS.RED] }, /does not resolve/],
      [{ ...good, created_by_ref: 'identity--7c9e6679-7425-40de-944b-e07fc1f90ae7' }, /created_by_ref/],
      [
        {
          ...good,
          extensions: {
            'extension-definition--ef765651-680c-498d-9894-99799f2fa126': {
              extension_type: 'property-extension',
            },
          },
        },
        /needs determination/,
      ],
      [{ ...good, 'Bad-Name': 1 }, /property name Bad-Name/],
    ];
    for (const [object, message] of cases) {
      const violations = stixViolations({
        type: 'bundle',
        id: 'bundle--7c9e6679-7425-40de-944b-e07fc1f90ae7',
        objects: [object],
      });
      expect(violations.join('\n')).toMatch(message);
    }
  });
});

describe('STIX 2.1 export of advisories', () => {
  const ADVISORY_ID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
  const advisory = (tlp: Tlp, drill = false, sourceIncidentId?: string): AdvisoryState =>
    [
      {
        type: 'AdvisoryIssued',
        data: {
          advisoryId: ADVISORY_ID,
          title: 'VPN appliance exploited',
          body: 'Patch the appliance now; indicators attached.',
          tlp,
          severity: 'high',
          ackWithinHours: 24,
          audience: 'all',
          drill,
          issuedBy: SECRETARIAT.sub,
          issuerRole: 'secretariat',
          ...(sourceIncidentId ? { sourceIncidentId } : {}),
        },
      },
      {
        type: 'AdvisoryDistributed',
        data: {
          recipients: ['asahi-petrochem'],
          ackDueAt: at(T0, 25 * 3_600_000),
          remindAt: at(T0, 13 * 3_600_000),
        },
      },
    ].reduce<MaybeAdvisory>(
      (state, event, i) =>
        evolveAdvisory(state, {
          ...(event as AdvisoryEvent),
          version: i + 1,
          recordedAt: at(T0, i * 3_600_000),
          actor: SECRETARIAT,
        }),
      null,
    ) as AdvisoryState;

  it('writes each advisory as a report by its issuer, following the STIX 2.1 rules', async () => {
    const { bundle, skipped } = stixBundle([await incident('GREEN')], [advisory('AMBER', true)]);
    expect(skipped).toBe(0);
    expect(stixViolations(bundle)).toEqual([]);
    const report = (bundle.objects as Record<string, unknown>[]).find((o) => o.type === 'report');
    expect(report).toMatchObject({
      id: `report--${ADVISORY_ID}`,
      name: '[DRILL] VPN appliance exploited',
      published: at(T0, 3_600_000),
      object_marking_refs: [TLP_2_MARKINGS.AMBER],
      labels: ['severity:high', 'drill'],
    });
  });

  it('leaves RED and AMBER+STRICT advisories out and never names the incident an advisory was shared from', () => {
    const { bundle, skipped } = stixBundle([], [advisory('RED'), advisory('AMBER+STRICT')]);
    expect(skipped).toBe(2);
    expect((bundle.objects as unknown[]).length).toBe(0);
    const shared = stixBundle([], [advisory('GREEN', false, INCIDENT_ID)]).bundle;
    expect(JSON.stringify(shared)).not.toContain(INCIDENT_ID);
  });
});
