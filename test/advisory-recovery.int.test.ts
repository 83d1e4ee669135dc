import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../events/actor.ts';
import { advisories, recipientId, recipients } from '../functions/aggregates/advisories.ts';
import type { Notifier, OutboundNotification } from '../functions/notify/notifier.ts';
import { loadAggregate, runCommand } from '../functions/store/command-runner.ts';
import { DynamoDbEventStore } from '../functions/store/dynamodb-event-store.ts';
import type { RelayWorkflow } from '../functions/workflow/workflow.ts';
import { resumeAdvisories } from '../local/recover-advisories.ts';
import { seedDirectory } from '../local/seed-directory.ts';
import { freshTable, testDynamoClient } from './support/dynamo.ts';
import { POLICY, SECRETARIAT } from './support/fixtures.ts';

// After a crash of the local stack, the messages an advisory called for that no stream records
// as delivered are published again (fauxqs keeps no queue on disk), and only those.
const NOTIFIER: Actor = { kind: 'system', sub: 'system:notifier' };
const directory = seedDirectory();
let store: DynamoDbEventStore;

beforeAll(async () => {
  store = new DynamoDbEventStore(testDynamoClient(), await freshTable('recover-adv'));
});

function recorder() {
  const published: OutboundNotification[] = [];
  const started: string[] = [];
  const notifier: Notifier = { publish: async (m) => void published.push(...m) };
  const workflow = {
    start: async (name: string) => void started.push(name),
    resume: async () => undefined,
  } as unknown as RelayWorkflow;
  return { published, started, notifier, workflow };
}

const recover = (r: ReturnType<typeof recorder>) =>
  resumeAdvisories({
    store,
    workflow: r.workflow,
    notifier: r.notifier,
    deps: {
      directory: async () => directory,
      ackKey: async () => new Uint8Array(32).fill(7),
      publicUrl: 'http://relay.test',
    },
  });

describe('recovering advisory messages from the log', () => {
  it('re-publishes what no recipient stream records, and nothing already delivered', async () => {
    const id = randomUUID();
    await runCommand(
      store,
      advisories,
      id,
      {
        type: 'IssueAdvisory',
        data: {
          advisoryId: id,
          title: 'VPN appliance exploited',
          body: 'Patch now.',
          tlp: 'GREEN',
          severity: 'high',
          ackWithinHours: 24,
          audience: ['seto-olefin', 'kaigan-chemical'],
          drill: false,
          roster: {
            members: Object.entries(directory.organizations).flatMap(([org, o]) =>
              o.kind === 'member' ? [org] : [],
            ),
            logins: {},
          },
        },
      },
      { now: new Date().toISOString(), actor: SECRETARIAT, policy: POLICY },
    );

    const first = recorder();
    expect(await recover(first)).toEqual({ resumed: 1, republished: first.published.length });
    const toSeto = first.published.filter((m) => m.streamId.includes('seto-olefin'));
    const toKaigan = first.published.filter((m) => m.streamId.includes('kaigan-chemical'));
    expect(toSeto.length).toBeGreaterThan(0);
    expect(toKaigan.length).toBeGreaterThan(0);
    expect(toSeto[0]?.body).toContain('http://relay.test/ack/');

    // Seto's message was delivered before the crash: only Kaigan's are sent again.
    for (const m of toSeto) {
      await runCommand(
        store,
        recipients,
        recipientId(id, 'seto-olefin'),
        {
          type: 'RecordDelivery',
          data: {
            advisoryId: id,
            org: 'seto-olefin',
            key: m.key,
            purpose: 'advisory',
            contactId: m.contactId ?? '',
            channel: m.channel,
            to: m.to,
            outcome: { ok: true, messageId: 'm-1' },
          },
        },
        {
          now: new Date().toISOString(),
          actor: NOTIFIER,
          policy: POLICY,
          advisory: (await loadAggregate(store, advisories, id)).state,
        },
      );
    }
    const second = recorder();
    await recover(second);
    expect(second.published.map((m) => m.key).sort()).toEqual(toKaigan.map((m) => m.key).sort());
  });
});
