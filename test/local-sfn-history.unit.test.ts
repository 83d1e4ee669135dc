import { describe, expect, it } from 'vitest';
import { type HistoryEvent, HistoryRecorder, type LibraryEvent } from '../local/sfn/history.ts';

// The task handlers report an attempt synchronously inside the library, while the library's own
// log is read asynchronously: the history must come out in AWS's order either way.

const WAIT = { kind: 'integration', resourceType: 'lambda', resource: 'invoke.waitForTaskToken' } as const;
const entered: LibraryEvent = {
  type: 'StateEntered',
  timestamp: 1,
  state: { name: 'Wait', type: 'Task', input: {} },
};
const exited: LibraryEvent = {
  type: 'StateExited',
  timestamp: 3,
  state: { name: 'Wait', type: 'Task', input: {}, output: { callback: {} } },
};

function recorder(): { history: HistoryRecorder; written: HistoryEvent[] } {
  const written: HistoryEvent[] = [];
  return {
    history: new HistoryRecorder(
      'ap-northeast-1',
      (e) => written.push(e),
      () => ({}),
    ),
    written,
  };
}

describe('execution history of a .waitForTaskToken task', () => {
  it('is entered, scheduled, started when the handler reports before the StateEntered is read', () => {
    const { history } = recorder();
    history.scheduled('Wait', WAIT, { Payload: {} }, 30);
    history.library(entered);
    expect(history.all.map((e) => e.type)).toEqual(['TaskStateEntered', 'TaskScheduled', 'TaskStarted']);
  });

  it('is the same when the StateEntered is read before the handler reports', () => {
    const { history } = recorder();
    history.library(entered);
    expect(history.all.map((e) => e.type)).toEqual(['TaskStateEntered']);
    const attempt = history.scheduled('Wait', WAIT, { Payload: {} }, 30);
    attempt.submitted({ StatusCode: 200 });
    expect(history.all.map((e) => e.type)).toEqual([
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
    ]);
  });

  it('writes no TaskSubmitted after the task ended (the callback beat the function)', () => {
    const { history, written } = recorder();
    const attempt = history.scheduled('Wait', WAIT, {}, 30);
    history.library(entered);
    attempt.succeeded({ approved: true });
    history.library(exited);
    attempt.submitted({ StatusCode: 200 });
    expect(history.all.map((e) => e.type)).toEqual([
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
    ]);
    expect(history.all[3]).toMatchObject({ taskSucceededEventDetails: { output: '{"approved":true}' } });
    expect(written).toEqual(history.all);
  });

  it('numbers events from 1, each pointing at the one before, never earlier in time', () => {
    const { history } = recorder();
    history.library({ type: 'ExecutionStarted', timestamp: 5, input: {} });
    history.library({ ...entered, timestamp: 4 });
    expect(history.all.map((e) => [e.id, e.previousEventId, e.timestamp.getTime()])).toEqual([
      [1, 0, 5],
      [2, 1, 5],
    ]);
  });
});
