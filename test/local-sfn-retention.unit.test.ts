import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExecutionLog, RETENTION_DAYS } from '../local/sfn/execution-log.ts';

const DAY = 24 * 3600 * 1000;
const NOW = new Date('2026-12-05T00:00:00Z');
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);

/** An execution started `startedDaysAgo` days ago, closed by `closing` `closedDaysAgo` days ago (running if null). */
function write(log: ExecutionLog, name: string, startedDaysAgo: number, closed: [string, number] | null) {
  const executionArn = `arn:aws:states:ap-northeast-1:000000000000:execution:M:${name}`;
  log.started({
    executionArn,
    stateMachineArn: 'arn:aws:states:ap-northeast-1:000000000000:stateMachine:M',
    name,
    input: '{}',
    startDate: ago(startedDaysAgo),
  });
  log.event(executionArn, {
    id: 1,
    previousEventId: 0,
    timestamp: ago(startedDaysAgo),
    type: 'ExecutionStarted',
  });
  if (closed)
    log.event(executionArn, { id: 2, previousEventId: 1, timestamp: ago(closed[1]), type: closed[0] });
}

describe('the local Step Functions execution log', () => {
  it(`forgets executions closed more than ${RETENTION_DAYS} days ago, as AWS does, and rewrites the file without them`, () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sfn-log-')), 'executions.ndjson');
    const log = new ExecutionLog(file, () => NOW);
    write(log, 'succeeded-long-ago', 120, ['ExecutionSucceeded', 100]);
    write(log, 'aborted-long-ago', 95, ['ExecutionAborted', 91]);
    write(log, 'closed-recently', 100, ['ExecutionFailed', 89]);
    write(log, 'running-for-long', 200, null);
    write(log, 'running', 1, null);
    const before = statSync(file).size;

    const names = (l: ExecutionLog) => l.load().map((e) => e.name);
    expect(names(log)).toEqual(['closed-recently', 'running-for-long', 'running']);
    const after = readFileSync(file, 'utf8');
    expect(after.length).toBeLessThan(before);
    expect(after).not.toContain('long-ago');
    // What was kept reads back whole, and a second start rewrites nothing.
    const again = new ExecutionLog(file, () => NOW).load();
    expect(again.map((e) => [e.name, e.events.map((x) => x.type), e.startDate.toISOString()])).toEqual([
      ['closed-recently', ['ExecutionStarted', 'ExecutionFailed'], ago(100).toISOString()],
      ['running-for-long', ['ExecutionStarted'], ago(200).toISOString()],
      ['running', ['ExecutionStarted'], ago(1).toISOString()],
    ]);
    expect(readFileSync(file, 'utf8')).toBe(after);
  });
});
