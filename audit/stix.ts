import { createHash, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { AdvisoryState, MaybeAdvisory } from '../events/advisory/advisory.ts';
import type { IncidentState, MaybeIncident } from '../events/incident/incident.ts';
import type { Tlp } from '../events/incident/report.ts';
import { advisories } from '../functions/aggregates/advisories.ts';
import { incidents } from '../functions/aggregates/incidents.ts';
import { streamTypeOf } from '../functions/audit/audit-aggregates.ts';
import { replayStream } from '../functions/audit/audit-replay.ts';
import type { AuditSource } from './source.ts';

/**
 * STIX 2.1 export of incidents and advisories, for a CSIRT's own tools (MISP, OpenCTI). Each
 * incident is an `incident` SDO with the OASIS incident core extension, created by the
 * reporting company's `identity`; each advisory (情報提供) is a `report` created by its
 * issuer (NISC, the ministry or the secretariat). Both carry their TLP 2.0 marking (the
 * definitions FIRST and OASIS published). RED and AMBER+STRICT are left out: their
 * recipients are named, and a bundle for another organisation's tools is not one of them.
 * Contact details never leave, and an advisory never names the incident it was shared from.
 */

/** The OASIS incident core extension (cti-stix-common-objects). */
export const INCIDENT_CORE_EXTENSION = 'extension-definition--ef765651-680c-498d-9894-99799f2fa126';
/** The TLP 2.0 extension every TLP 2.0 marking definition declares. */
export const TLP_2_EXTENSION = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d';

/** The published TLP 2.0 marking definitions' ids. */
export const TLP_2_MARKINGS: Readonly<Record<Tlp, string>> = {
  CLEAR: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  GREEN: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  AMBER: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'AMBER+STRICT': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  RED: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
};

const EXPORTABLE: readonly Tlp[] = ['CLEAR', 'GREEN', 'AMBER'];

/** The marking definition object as published (its `created` is the publication's, not ours). */
export function tlpMarkingDefinition(tlp: Tlp): Record<string, unknown> {
  return {
    type: 'marking-definition',
    spec_version: '2.1',
    id: TLP_2_MARKINGS[tlp],
    created: '2022-10-01T00:00:00.000Z',
    name: `TLP:${tlp}`,
    extensions: { [TLP_2_EXTENSION]: { extension_type: 'property-extension', tlp_2_0: tlp.toLowerCase() } },
  };
}

/** UUID v5 (RFC 9562 §5.5): the same organisation always gets the same identity id. */
export function uuidV5(name: string, namespace = '6ba7b811-9dad-11d1-80b4-00c04fd430c8'): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const bytes = createHash('sha1').update(ns).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** STIX timestamps are UTC with a `Z`; ours already are. */
const ts = (iso: string) => new Date(iso).toISOString();

const CATEGORY_TYPES: Record<string, string> = {
  cyber_attack: 'cyber-attack',
  natural_disaster: 'natural-disaster',
  system_failure: 'system-failure',
  other: 'other',
};

const CRITICALITY: Record<string, number> = { critical: 90, high: 70, medium: 40, low: 10 };

/** The identity SDO of an organisation (a CEPTOAR member company). */
export function orgIdentity(
  org: string,
  created: string,
  sectors: readonly string[] = ['chemical'],
): Record<string, unknown> {
  return {
    type: 'identity',
    spec_version: '2.1',
    id: `identity--${uuidV5(`ceptoar:org:${org}`)}`,
    created: ts(created),
    modified: ts(created),
    name: org,
    identity_class: 'organization',
    sectors: [...sectors],
  };
}

/** The incident SDO of an incident's folded state. */
export function incidentObject(state: IncidentState): Record<string, unknown> {
  const r = state.report;
  return {
    type: 'incident',
    spec_version: '2.1',
    id: `incident--${state.id}`,
    created: ts(state.createdAt),
    modified: ts(state.updatedAt),
    created_by_ref: `identity--${uuidV5(`ceptoar:org:${state.org}`)}`,
    name: r.title,
    description: [r.description, ...state.followUps.map((f) => `[続報 ${f.number}] ${f.description}`)].join(
      '\n\n',
    ),
    object_marking_refs: [TLP_2_MARKINGS[r.tlp]],
    labels: [`severity:${r.severity}`, ...r.affectedSystems.map((s) => `affected:${s}`)],
    extensions: {
      [INCIDENT_CORE_EXTENSION]: {
        extension_type: 'property-extension',
        determination: r.category === 'cyber_attack' ? 'confirmed' : 'suspected',
        investigation_status:
          state.status === 'closed' ? 'closed' : state.recoveryStatus === 'investigating' ? 'new' : 'open',
        criticality: CRITICALITY[r.severity] ?? 40,
        incident_types: [CATEGORY_TYPES[r.category] ?? 'other'],
      },
    },
  };
}

/** The identity of an advisory's issuer: the government bodies are not in the chemical sector. */
const issuerIdentity = (state: AdvisoryState) =>
  orgIdentity(
    state.issuerRole,
    state.createdAt,
    state.issuerRole === 'secretariat' ? ['chemical'] : ['government-national'],
  );

/** The report SDO of an advisory; a drill says so in its name and labels. */
export function advisoryObject(state: AdvisoryState): Record<string, unknown> {
  const issuer = issuerIdentity(state);
  return {
    type: 'report',
    spec_version: '2.1',
    id: `report--${state.id}`,
    created: ts(state.createdAt),
    modified: ts(state.updatedAt),
    created_by_ref: issuer.id,
    name: state.drill ? `[DRILL] ${state.title}` : state.title,
    description: state.body,
    published: ts(state.distributedAt ?? state.createdAt),
    report_types: ['threat-report'],
    object_refs: [issuer.id],
    object_marking_refs: [TLP_2_MARKINGS[state.tlp]],
    labels: [`severity:${state.severity}`, ...(state.drill ? ['drill'] : [])],
  };
}

/** Builds the bundle from incident and advisory states (those the TLP allows to leave). */
export function stixBundle(
  states: readonly IncidentState[],
  advisoryStates: readonly AdvisoryState[] = [],
): {
  bundle: Record<string, unknown>;
  skipped: number;
} {
  const objects = new Map<string, Record<string, unknown>>();
  let skipped = 0;
  for (const state of states) {
    if (!EXPORTABLE.includes(state.report.tlp)) {
      skipped++;
      continue;
    }
    const identity = orgIdentity(state.org, state.createdAt);
    if (!objects.has(identity.id as string)) objects.set(identity.id as string, identity);
    const marking = tlpMarkingDefinition(state.report.tlp);
    objects.set(marking.id as string, marking);
    const incident = incidentObject(state);
    objects.set(incident.id as string, incident);
  }
  for (const state of advisoryStates) {
    if (!EXPORTABLE.includes(state.tlp)) {
      skipped++;
      continue;
    }
    const identity = issuerIdentity(state);
    if (!objects.has(identity.id as string)) objects.set(identity.id as string, identity);
    const marking = tlpMarkingDefinition(state.tlp);
    objects.set(marking.id as string, marking);
    const report = advisoryObject(state);
    objects.set(report.id as string, report);
  }
  return {
    bundle: { type: 'bundle', id: `bundle--${randomUUID()}`, objects: [...objects.values()] },
    skipped,
  };
}

/** Writes the period's incidents and advisories as a STIX 2.1 bundle; returns the number of objects. */
export async function exportStix(
  source: AuditSource,
  options: { from: string; to: string; out: string },
): Promise<number> {
  const touched = new Set<string>();
  for await (const e of source.periodEvents(options.from, options.to)) {
    const type = streamTypeOf(e.streamId);
    if (type === 'incident' || type === 'advisory') touched.add(e.streamId);
  }
  const states: IncidentState[] = [];
  const advisoryStates: AdvisoryState[] = [];
  for (const streamId of [...touched].sort()) {
    if (streamTypeOf(streamId) === 'advisory') {
      const replay = await replayStream(streamId, source.streamEvents(streamId), advisories, options.to);
      const state = replay.state as MaybeAdvisory;
      if (state) advisoryStates.push(state);
      continue;
    }
    const replay = await replayStream(streamId, source.streamEvents(streamId), incidents, options.to);
    const state = replay.state as MaybeIncident;
    if (state) states.push(state);
  }
  const { bundle, skipped } = stixBundle(states, advisoryStates);
  if (skipped > 0)
    process.stderr.write(`left out ${skipped} RED or AMBER+STRICT incident(s) or advisories\n`);
  writeFileSync(options.out, `${JSON.stringify(bundle, null, 2)}\n`);
  return (bundle.objects as unknown[]).length;
}
