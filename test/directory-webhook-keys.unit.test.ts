import { describe, expect, it } from 'vitest';
import type { Actor } from '../events/actor.ts';
import {
  decideOrganization,
  evolveOrganization,
  type MaybeOrganization,
  type OrganizationEvent,
  signingKeys,
} from '../events/directory/directory.ts';
import { ForbiddenError, NotFoundError } from '../events/errors.ts';

const ENTRY = {
  kind: 'member' as const,
  name: { ja: '旭ペトロケム', en: 'Asahi Petrochem' },
  contacts: [
    {
      id: 'asahi-soc',
      name: 'SOC',
      email: 'soc@asahi.example',
      webhook: 'https://soc.asahi.example/hook',
      lang: 'ja' as const,
      escalation: false,
      primary: 'webhook' as const,
      secondary: 'email' as const,
    },
  ],
};
const SECRETARIAT: Actor = { kind: 'user', sub: 's', role: 'secretariat', org: 'jpca' };
const OWN_MEMBER: Actor = { kind: 'user', sub: 'm', role: 'member', org: 'asahi-petrochem' };
const OTHER_MEMBER: Actor = { kind: 'user', sub: 'o', role: 'member', org: 'tokai-chemical' };
const ROTATE = { type: 'RotateWebhookKey' as const, data: { org: 'asahi-petrochem' } };

/** Folds events recorded at the given times. */
function given(...history: [OrganizationEvent, string][]): MaybeOrganization {
  return history.reduce<MaybeOrganization>(
    (state, [event, at], i) => evolveOrganization(state, { ...event, version: i + 1, recordedAt: at }),
    null,
  );
}
const registered: [OrganizationEvent, string] = [
  { type: 'OrganizationRegistered', data: { org: 'asahi-petrochem', entry: ENTRY } },
  '2026-12-01T00:00:00Z',
];
const rotated = (generation: number, at: string): [OrganizationEvent, string] => [
  { type: 'WebhookKeyRotated', data: { org: 'asahi-petrochem', generation } },
  at,
];

describe('rotating an organisation’s webhook key', () => {
  it('starts generation 1, then the next one, for its own member or the secretariat', () => {
    const now = '2026-12-02T00:00:00Z';
    expect(decideOrganization(ROTATE, given(registered), { now, actor: OWN_MEMBER })).toEqual([
      { type: 'WebhookKeyRotated', data: { org: 'asahi-petrochem', generation: 1 } },
    ]);
    const once = given(registered, rotated(1, now));
    expect(decideOrganization(ROTATE, once, { now, actor: SECRETARIAT })).toEqual([
      { type: 'WebhookKeyRotated', data: { org: 'asahi-petrochem', generation: 2 } },
    ]);
  });

  it('is forbidden to another organisation’s member and to the other roles, whether the organisation exists or not', () => {
    const now = '2026-12-02T00:00:00Z';
    for (const actor of [
      OTHER_MEMBER,
      { kind: 'user', sub: 'a', role: 'auditor' } as Actor,
      { kind: 'user', sub: 'n', role: 'ministry', org: 'asahi-petrochem' } as Actor,
    ]) {
      expect(() => decideOrganization(ROTATE, given(registered), { now, actor })).toThrow(ForbiddenError);
      expect(() => decideOrganization(ROTATE, null, { now, actor })).toThrow(ForbiddenError);
    }
  });

  it("is not found for another sector's secretariat, which must not learn the key (404, never 403)", () => {
    const banking: Actor = { kind: 'user', sub: 'b', role: 'secretariat', sector: 'banking' };
    expect(() =>
      decideOrganization(ROTATE, given(registered), { now: '2026-12-02T00:00:00Z', actor: banking }),
    ).toThrow(NotFoundError);
  });

  it('is not found for an organisation the directory does not hold', () => {
    expect(() =>
      decideOrganization(ROTATE, null, { now: '2026-12-02T00:00:00Z', actor: SECRETARIAT }),
    ).toThrow(NotFoundError);
  });
});

describe('the keys that sign a delivery', () => {
  const state = given(registered, rotated(1, '2026-12-01T01:00:00Z'), rotated(2, '2026-12-02T12:00:00Z'));
  const keys = state?.webhookKeys ?? [];
  const generations = (now: string) => signingKeys(keys, now).map((k) => k.generation);

  it('are the newest and, for 24 hours after it started, the previous one', () => {
    expect(generations('2026-12-02T12:00:00Z')).toEqual([1, 2]);
    expect(generations('2026-12-03T11:59:59Z')).toEqual([1, 2]);
    expect(generations('2026-12-03T12:00:00Z')).toEqual([2]);
  });

  it('keep every key superseded less than 24 hours ago after rotations in a row, and drop older ones from the state', () => {
    const burst = given(
      registered,
      rotated(1, '2026-12-01T01:00:00Z'),
      rotated(2, '2026-12-05T00:00:00Z'),
      rotated(3, '2026-12-05T00:10:00Z'),
    );
    // Generation 1 stopped signing on 12-06 00:00, and a fold after that forgets it.
    expect(signingKeys(burst?.webhookKeys ?? [], '2026-12-05T01:00:00Z').map((k) => k.generation)).toEqual([
      1, 2, 3,
    ]);
    const later = evolveOrganization(burst, {
      type: 'WebhookKeyRotated',
      data: { org: 'asahi-petrochem', generation: 4 },
      version: 5,
      recordedAt: '2026-12-06T00:05:00Z',
    });
    expect(later?.webhookKeys?.map((k) => k.generation)).toEqual([2, 3, 4]);
  });

  it('are none for an organisation that never rotated (the deliverer signs with generation 0)', () => {
    expect(given(registered)?.webhookKeys).toBeUndefined();
    expect(signingKeys([], '2026-12-02T00:00:00Z')).toEqual([]);
  });
});
