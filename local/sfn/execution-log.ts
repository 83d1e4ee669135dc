// The local endpoint's executions on disk: one NDJSON file, appended as executions start and as
// their history grows, read back at start. What it can rebuild: every execution's name, input,
// status, output or error, and its history. What it cannot: an execution that was running (its
// interpreter and task tokens lived in memory); it is closed as ABORTED when read back.
// As on AWS, an execution closed more than 90 days ago is gone (its name free again): the start
// that finds such executions rewrites the file without them, so it does not grow for ever.
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';
import type { HistoryEvent } from './history.ts';

/** An execution as the file holds it. */
export interface StoredExecution {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: string;
  readonly startDate: Date;
  readonly events: HistoryEvent[];
}

type Line =
  | {
      kind: 'execution';
      executionArn: string;
      stateMachineArn: string;
      name: string;
      input: string;
      startDate: string;
    }
  | { kind: 'event'; executionArn: string; event: { readonly [key: string]: unknown; timestamp: string } };

/**
 * The lines of a file, read a megabyte at a time: the log is not read as one string, which V8 caps at
 * some 512 MB (a busy data folder's 90 days of executions could pass that; each line is far shorter).
 */
function* lines(file: string): Generator<string> {
  const fd = openSync(file, 'r');
  try {
    const chunk = Buffer.alloc(1 << 20);
    let carry = Buffer.alloc(0);
    for (;;) {
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      const data = carry.length ? Buffer.concat([carry, chunk.subarray(0, read)]) : chunk.subarray(0, read);
      let start = 0;
      for (let end = data.indexOf(10, start); end !== -1; end = data.indexOf(10, start)) {
        yield data.toString('utf8', start, end);
        start = end + 1;
      }
      // A copy: `chunk` is overwritten by the next read.
      carry = Buffer.from(data.subarray(start));
    }
    if (carry.length) yield carry.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** How long AWS keeps a closed execution (Step Functions quotas: "Execution history retention", 90 days). */
export const RETENTION_DAYS = 90;

const CLOSING = new Set(['ExecutionSucceeded', 'ExecutionFailed', 'ExecutionAborted', 'ExecutionTimedOut']);

/** Appends executions and their events to `file`; `load()` reads them back. */
export class ExecutionLog {
  constructor(
    private readonly file: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    mkdirSync(dirname(file), { recursive: true });
  }

  /**
   * Every execution in the file kept by AWS's retention, in start order (a torn last line, from a
   * crash, is skipped). When some closed more than {@link RETENTION_DAYS} days ago, the file is
   * rewritten without them (a new file renamed over the old, so a crash leaves one or the other).
   */
  load(): StoredExecution[] {
    const all = this.read();
    const cutoff = this.now().getTime() - RETENTION_DAYS * 24 * 3600 * 1000;
    const kept = all.filter((e) => {
      const last = e.events.at(-1);
      return !(last && CLOSING.has(last.type) && last.timestamp.getTime() < cutoff);
    });
    if (kept.length < all.length) this.rewrite(kept);
    return kept;
  }

  private rewrite(executions: readonly StoredExecution[]): void {
    const lines: string[] = [];
    for (const { events, startDate, ...execution } of executions) {
      lines.push(JSON.stringify({ kind: 'execution', ...execution, startDate: startDate.toISOString() }));
      for (const event of events) lines.push(JSON.stringify(this.eventLine(execution.executionArn, event)));
    }
    const temporary = `${this.file}.compacting`;
    writeFileSync(temporary, lines.map((l) => `${l}\n`).join(''));
    renameSync(temporary, this.file);
  }

  private read(): StoredExecution[] {
    if (!existsSync(this.file)) return [];
    const executions = new Map<string, StoredExecution>();
    for (const text of lines(this.file)) {
      if (text === '') continue;
      let line: Line;
      try {
        line = JSON.parse(text) as Line;
      } catch {
        continue;
      }
      if (line.kind === 'execution') {
        const { kind: _kind, startDate, ...rest } = line;
        executions.set(line.executionArn, { ...rest, startDate: new Date(startDate), events: [] });
      } else {
        executions.get(line.executionArn)?.events.push({
          ...line.event,
          timestamp: new Date(line.event.timestamp),
        } as unknown as HistoryEvent);
      }
    }
    return [...executions.values()];
  }

  /** Records a new execution (before its first event). */
  started(execution: Omit<StoredExecution, 'events'>): void {
    this.write({ kind: 'execution', ...execution, startDate: execution.startDate.toISOString() });
  }

  /** Records one history event of `executionArn`. */
  event(executionArn: string, event: HistoryEvent): void {
    this.write(this.eventLine(executionArn, event));
  }

  private eventLine(executionArn: string, event: HistoryEvent): Line {
    return { kind: 'event', executionArn, event: { ...event, timestamp: event.timestamp.toISOString() } };
  }

  private write(line: Line): void {
    // Synchronous: a crash right after a transition keeps it (executions append a few dozen lines each).
    appendFileSync(this.file, `${JSON.stringify(line)}\n`);
  }
}
