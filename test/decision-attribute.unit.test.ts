import { gzipSync } from 'node:zlib';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { decide, type IncidentCommand } from '../events/incident/decide.ts';
import { decisionState, evolve, type MaybeIncident } from '../events/incident/incident.ts';
import { incidents } from '../functions/aggregates/incidents.ts';
import {
  decisionAttribute,
  decisionDictionaryHash,
  decisionJsonOf,
} from '../functions/store/decision-attribute.ts';
import { eventItems } from '../functions/store/dynamodb-event-store.ts';
import { ASAHI_MEMBER, at, INCIDENT_ID, POLICY, RANSOMWARE_REPORT, T0 } from './support/fixtures.ts';

/** An item's size as DynamoDB counts it for capacity: attribute names plus values (UTF-8 strings, binary, numbers). */
function itemBytes(item: Record<string, AttributeValue>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    bytes += Buffer.byteLength(name);
    if (value.S !== undefined) bytes += Buffer.byteLength(value.S);
    else if (value.B !== undefined) bytes += value.B.length;
    else if (value.N !== undefined) bytes += Math.ceil(value.N.replace(/^-/, '').length / 2) + 1;
    else throw new Error(`unexpected attribute type of ${name}`);
  }
  return bytes;
}

const FOLLOW_UP: IncidentCommand = {
  type: 'AddFollowUp',
  data: {
    description: 'Restored the historian from the offline backup; monitoring the DCS network segment.',
    recoveryStatus: 'mitigating',
  },
};

describe('the decision state on the newest event item', () => {
  it('keeps dictionary 1 byte for byte: items written with it must stay readable', () => {
    expect(decisionDictionaryHash()).toBe('a4812e1db04003eb7dd969b34250e29fde8af1665972d0455e4faf03185d1642');
    // Written by this release's encoder; decoded forever.
    const stored = { decisionD1: { B: Buffer.from('gxZ5FcjlGSStK8ETcm0tAA==', 'base64') } };
    expect(decisionJsonOf(stored)).toBe('{"id":"x","status":"closed","hops":{}}');
  });

  it('round-trips, and still reads the plain and gzipped forms of earlier releases', () => {
    const json = JSON.stringify({ status: 'awaiting_secretariat', note: '山田 太郎', n: [1, 2, 3] });
    expect(decisionJsonOf(decisionAttribute(json))).toBe(json);
    expect(decisionJsonOf({ decision: { S: json } })).toBe(json);
    expect(decisionJsonOf({ decisionZ: { B: gzipSync(json) } })).toBe(json);
    expect(decisionJsonOf({})).toBeUndefined();
  });

  it('keeps a follow-up’s event item within one write unit (1 KB) with the whole decision state on it', () => {
    let state: MaybeIncident = null;
    let event: { type: string; data: unknown } | undefined;
    for (let v = 1; v <= 11; v++) {
      const now = at(T0, v * 60_000);
      const command: IncidentCommand =
        v === 1
          ? { type: 'ReportIncident', data: { incidentId: INCIDENT_ID, report: RANSOMWARE_REPORT } }
          : FOLLOW_UP;
      [event] = decide(command, state, { now, actor: ASAHI_MEMBER, policy: POLICY });
      if (!event) throw new Error('no event');
      state = evolve(state, { ...event, version: v, recordedAt: now, actor: ASAHI_MEMBER } as never);
    }
    const decision = decisionState(state);
    const { items } = eventItems(
      'events',
      {
        streamId: incidents.streamId(INCIDENT_ID),
        streamType: incidents.streamType,
        expectedVersion: 10,
        events: [event as { type: string; data: unknown }],
        actor: ASAHI_MEMBER,
        recordedAt: at(T0, 11 * 60_000),
        schemaVersion: incidents.eventSchema,
        decision: { state: decision, stateSchema: incidents.stateSchema },
      },
      'a'.repeat(64),
    );
    const item = items[0]?.Put?.Item ?? {};
    // No time index keys: the byTime index must not copy the item on the command path.
    expect(item.tPk).toBeUndefined();
    expect(item.tSk).toBeUndefined();
    expect(JSON.parse(decisionJsonOf(item) ?? 'null')).toEqual(decision);
    expect(itemBytes(item)).toBeLessThanOrEqual(1024);
  });
});
