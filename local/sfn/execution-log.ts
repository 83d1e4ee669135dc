// The local endpoint's executions on disk: one NDJSON file, appended as executions start and as
// their history grows, read back at start. What it can rebuild: every execution's name, input,
// status, output or error, and its history. What it cannot: an execution that was running (its
// interpreter and task tokens lived in memory); it is closed as ABORTED when read back.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
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

/** Appends executions and their events to `file`; `load()` reads them back. */
export class ExecutionLog {
  constructor(private readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
  }

  /** Every execution in the file, in start order (a torn last line, from a crash, is skipped). */
  load(): StoredExecution[] {
    if (!existsSync(this.file)) return [];
    const executions = new Map<string, StoredExecution>();
    for (const text of readFileSync(this.file, 'utf8').split('\n')) {
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
    this.write({
      kind: 'event',
      executionArn,
      event: { ...event, timestamp: event.timestamp.toISOString() },
    });
  }

  private write(line: Line): void {
    // Synchronous: a crash right after a transition keeps it (executions append a few dozen lines each).
    appendFileSync(this.file, `${JSON.stringify(line)}\n`);
  }
}
