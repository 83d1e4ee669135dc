import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../events/actor.ts';
import type { SurveyState } from '../events/survey/survey.ts';
import { responseId, responses, surveys } from '../functions/aggregates/surveys.ts';
import type { Notifier, OutboundNotification } from '../functions/notify/notifier.ts';
import { loadAggregate, runCommand } from '../functions/store/command-runner.ts';
import { DynamoDbEventStore } from '../functions/store/dynamodb-event-store.ts';
import type { RelayWorkflow, WorkflowInput } from '../functions/workflow/workflow.ts';
import { resumeSurveys } from '../local/recover-surveys.ts';
import { seedDirectory } from '../local/seed-directory.ts';
import { SELF_ASSESSMENT } from './fixtures/survey-definition.ts';
import { freshTable, projectHeads, testDynamoClient } from './support/dynamo.ts';
import { SECRETARIAT } from './support/fixtures.ts';

// After a restart of the local stack, an open survey's reminder timer starts again and the invitations
// no response stream records are published again, and only those.
const NOTIFIER: Actor = { kind: 'system', sub: 'system:notifier' };
const directory = seedDirectory();
let store: DynamoDbEventStore;
let table = '';

beforeAll(async () => {
  table = await freshTable('recover-survey');
  store = new DynamoDbEventStore(testDynamoClient(), table);
});

/** The heads the survey lists read, as stream-reactor projects them (no stream runs here). */
const project = (...streamIds: string[]) => projectHeads(testDynamoClient(), table, streamIds);

function recorder() {
  const published: OutboundNotification[] = [];
  const started: WorkflowInput[] = [];
  const notifier: Notifier = { publish: async (m) => void published.push(...m) };
  const workflow = {
    start: async (_name: string, input: WorkflowInput) => void started.push(input),
    resume: async () => undefined,
  } as unknown as RelayWorkflow;
  return { published, started, notifier, workflow };
}

const recover = (r: ReturnType<typeof recorder>) =>
  resumeSurveys({
    store,
    workflow: r.workflow,
    notifier: r.notifier,
    deps: { directory: async () => directory, publicUrl: 'http://relay.test' },
  });

describe('recovering a survey from the log', () => {
  it('restarts the reminder timer and re-publishes only the invitations no response stream records', async () => {
    const id = randomUUID();
    const ctx = () => ({ now: new Date().toISOString(), actor: SECRETARIAT });
    await runCommand(
      store,
      surveys,
      id,
      {
        type: 'CreateSurvey',
        data: {
          surveyId: id,
          sectors: ['chemical'],
          owner: { role: 'secretariat', sector: 'chemical' },
          tlp: 'GREEN',
          resultsTlp: 'GREEN',
          k: 3,
          definition: SELF_ASSESSMENT,
        },
      },
      ctx(),
    );
    await runCommand(
      store,
      surveys,
      id,
      {
        type: 'IssueSurvey',
        data: {
          dueAt: new Date(Date.now() + 86_400_000).toISOString(),
          roster: { chemical: ['seto-olefin', 'kaigan-chemical'] },
        },
      },
      ctx(),
    );

    await project(`survey#${id}`);
    const first = recorder();
    expect(await recover(first)).toEqual({ resumed: 1, republished: 2 });
    expect(first.started).toEqual([{ surveyId: id }]);
    const toSeto = first.published.find((m) => m.org === 'seto-olefin') as OutboundNotification;
    expect(toSeto.body).toContain(`http://relay.test/surveys/${id}`);

    // Seto's invitation was delivered before the crash: only Kaigan's is sent again.
    const survey = (await loadAggregate(store, surveys, id)).state as SurveyState;
    await runCommand(
      store,
      responses,
      responseId(id, 'seto-olefin'),
      {
        type: 'RecordSurveyDelivery',
        data: {
          org: 'seto-olefin',
          key: toSeto.key,
          purpose: 'survey',
          contactId: toSeto.contactId ?? '',
          channel: toSeto.channel,
          to: toSeto.to,
          outcome: { ok: true, messageId: 'm-1' },
        },
      },
      { now: new Date().toISOString(), actor: NOTIFIER, survey },
    );
    await project(`survey-response#${responseId(id, 'seto-olefin')}`);
    const second = recorder();
    await recover(second);
    expect(second.published.map((m) => m.org)).toEqual(['kaigan-chemical']);
  });
});
