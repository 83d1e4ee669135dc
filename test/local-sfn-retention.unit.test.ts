import { appendFileSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
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

  it('reads a log of several megabytes line by line: inputs with multi-byte text across read boundaries, a torn last line skipped', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sfn-log-')), 'executions.ndjson');
    const log = new ExecutionLog(file, () => NOW);
    // Some 3 MB of lines of odd lengths, so the 1 MB reads end inside lines and inside a character.
    const names: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const name = `e${i}`;
      names.push(name);
      log.started({
        executionArn: `arn:aws:states:ap-northeast-1:000000000000:execution:M:${name}`,
        stateMachineArn: 'arn:aws:states:ap-northeast-1:000000000000:stateMachine:M',
        name,
        input: JSON.stringify({ note: `化学セプター😀${'訓練'.repeat(120 + (i % 37))}` }),
        startDate: ago(1),
      });
    }
    appendFileSync(file, '{"kind":"execution","executionArn":"torn');
    expect(statSync(file).size).toBeGreaterThan(3 * 1024 * 1024);
    const loaded = new ExecutionLog(file, () => NOW).load();
    expect(loaded.map((e) => e.name)).toEqual(names);
    expect(JSON.parse(loaded[2999]?.input ?? '{}').note).toBe(
      `化学セプター😀${'訓練'.repeat(120 + (2999 % 37))}`,
    );
  });
});
