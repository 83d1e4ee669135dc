import { createHash } from 'node:crypto';
import { deflateRawSync, gunzipSync, inflateRawSync } from 'node:zlib';
import type { Item } from './dynamodb-event-reader.ts';

/**
 * The decision state on the newest event item (docs/ARCHITECTURE.md, "Event table"), stored as raw
 * deflate against a fixed preset dictionary: two incident decision states, one early and one
 * later in the relay, with their values blanked. The keys, the statuses, the hop names and the
 * shape of a timestamp are then back-references, so an incident's decision state of about 1.5 KB
 * of JSON is stored in about 220 bytes, and the event item stays within one write unit (1 KB)
 * without taking anything out of the state. Any JSON compresses with it; others gain less.
 *
 * The dictionary is part of the stored format: items name it (`decisionD1`), and changing a
 * byte of it would make every such item unreadable. A new dictionary gets a new attribute name
 * (`decisionD2`) and this reader keeps decoding the old one. test/decision-attribute.unit.test.ts
 * pins its SHA-256.
 */
const LATER = {
  id: '00000000-0000-0000-0000-000000000000',
  status: 'awaiting_nisc',
  org: 'asahi-petrochem',
  sector: 'chemical',
  reportedBy: 'u',
  report: {
    title: '',
    description: '',
    category: 'cyber_attack',
    severity: 'high',
    occurredAt: '2026-01-01T00:00:00.000Z',
    detectedAt: '2026-01-01T00:00:00.000Z',
    affectedSystems: ['business_it', 'plant_control'],
    tlp: 'AMBER',
    contact: { name: '', email: '', phone: '' },
  },
  severity: 'high',
  recoveryStatus: 'mitigating',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  closedAt: null,
  followUps: [
    { number: 1, at: '2026-01-01T00:00:00.000Z', by: 'u', description: '', recoveryStatus: 'mitigating' },
  ],
  returns: [],
  hops: {
    secretariat: {
      startedAt: '2026-01-01T00:00:00.000Z',
      dueAt: '2026-01-01T04:00:00.000Z',
      doneAt: '2026-01-01T00:00:00.000Z',
      doneBy: 'u',
      note: null,
      escalations: [],
    },
    member: { startedAt: null, dueAt: null, doneAt: null, doneBy: null, note: null, escalations: [] },
    ministry: {
      startedAt: '2026-01-01T00:00:00.000Z',
      dueAt: '2026-01-01T04:00:00.000Z',
      doneAt: '2026-01-01T00:00:00.000Z',
      doneBy: 'u',
      note: null,
      escalations: [],
    },
    nisc: {
      startedAt: '2026-01-01T00:00:00.000Z',
      dueAt: '2026-01-01T04:00:00.000Z',
      doneAt: null,
      doneBy: null,
      note: null,
      escalations: [],
    },
  },
  waits: {},
  stalledHop: null,
  restartAt: null,
  deliveries: [
    {
      key: '1:review_requested:sec-duty:email',
      at: '',
      purpose: 'review_requested',
      channel: 'email',
      to: '',
      ok: true,
      detail: '',
    },
    {
      key: '1:review_requested:sec-duty:sms',
      at: '',
      purpose: 'review_requested',
      channel: 'sms',
      to: '',
      ok: true,
      detail: '',
    },
  ],
  preset: 'japan-ceptoar',
  customPreset: null,
  stageSubmissions: [{ stage: 'first', at: '2026-01-01T00:00:00.000Z', by: 'u', followUp: null }],
  ransomPaidAt: null,
  version: 6,
} as const;
const EARLY = {
  id: '00000000-0000-0000-0000-000000000000',
  status: 'awaiting_secretariat',
  org: 'asahi-petrochem',
  sector: 'chemical',
  reportedBy: 'u',
  report: {
    title: '',
    description: '',
    category: 'cyber_attack',
    severity: 'high',
    occurredAt: '2026-01-01T00:00:00.000Z',
    detectedAt: '2026-01-01T00:00:00.000Z',
    affectedSystems: ['business_it', 'plant_control'],
    tlp: 'AMBER',
    contact: { name: '', email: '', phone: '' },
  },
  severity: 'high',
  recoveryStatus: 'investigating',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  closedAt: null,
  followUps: [],
  returns: [],
  hops: {
    secretariat: {
      startedAt: '2026-01-01T00:00:00.000Z',
      dueAt: '2026-01-01T04:00:00.000Z',
      doneAt: null,
      doneBy: null,
      note: null,
      escalations: [],
    },
    member: { startedAt: null, dueAt: null, doneAt: null, doneBy: null, note: null, escalations: [] },
    ministry: { startedAt: null, dueAt: null, doneAt: null, doneBy: null, note: null, escalations: [] },
    nisc: { startedAt: null, dueAt: null, doneAt: null, doneBy: null, note: null, escalations: [] },
  },
  waits: {},
  stalledHop: null,
  restartAt: null,
  deliveries: [],
  preset: 'japan-ceptoar',
  customPreset: null,
  stageSubmissions: [{ stage: 'first', at: '2026-01-01T00:00:00.000Z', by: 'u', followUp: null }],
  ransomPaidAt: null,
  version: 1,
} as const;

/** Version 1 of the preset dictionary: the later state first, the early one last (nearest, cheapest to refer to). */
export const DECISION_DICTIONARY_V1: Buffer = Buffer.from(
  JSON.stringify(LATER) + JSON.stringify(EARLY),
  'utf8',
);

/** SHA-256 (hex) of {@link DECISION_DICTIONARY_V1}. */
export const decisionDictionaryHash = (): string =>
  createHash('sha256').update(DECISION_DICTIONARY_V1).digest('hex');

/** The item attribute holding a decision state's JSON, compressed with dictionary 1. */
export const decisionAttribute = (json: string): Item => ({
  decisionD1: { B: deflateRawSync(json, { level: 9, dictionary: DECISION_DICTIONARY_V1 }) },
});

/** Attributes a decision state may be stored in, newest format first (for a ProjectionExpression). */
export const DECISION_ATTRIBUTES = ['decisionD1', 'decisionZ', 'decision'] as const;

/**
 * A stored decision state's JSON: dictionary-compressed (this release), gzipped (over 64 KB, an
 * earlier release) or plain (an earlier release); undefined when the item carries none.
 */
export function decisionJsonOf(item: Item): string | undefined {
  const d1 = item.decisionD1?.B;
  if (d1) return inflateRawSync(d1, { dictionary: DECISION_DICTIONARY_V1 }).toString('utf8');
  const zipped = item.decisionZ?.B;
  if (zipped) return gunzipSync(zipped).toString('utf8');
  return item.decision?.S;
}
