/** Extra keys of a log entry; an `Error` value is written as `{name, location, message, stack, cause, …}`. */
export type LogAttributes = Readonly<Record<string, unknown>>;

type Level = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
const RANK: Record<Level, number> = { DEBUG: 8, INFO: 12, WARN: 16, ERROR: 20 };

/**
 * The one structured logger: one JSON line per entry with the fields of Powertools Logger's default
 * format (`level`, `message`, `timestamp`, `service`, `sampling_rate`, `xray_trace_id`, then the
 * entry's own keys), INFO and DEBUG on stdout, WARN and ERROR on stderr, and the same log-level
 * variables (`AWS_LAMBDA_LOG_LEVEL`, which wins, `POWERTOOLS_LOG_LEVEL`, `LOG_LEVEL`).
 *
 * Why not Powertools Logger itself: every function imported it for three calls on error paths, with
 * no Lambda context, sampling, buffering or child loggers, and it cost every bundle about 20 KiB and
 * its construction at import (bench/RESULTS.md, section 2: a cold start within 1.3× of a bare client).
 */
export class JsonLogger {
  private readonly threshold: number;

  constructor(
    private readonly service: string,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    const level = (
      env.AWS_LAMBDA_LOG_LEVEL ||
      env.POWERTOOLS_LOG_LEVEL ||
      env.LOG_LEVEL ||
      'INFO'
    ).toUpperCase();
    this.threshold = RANK[level as Level] ?? (level === 'TRACE' ? 0 : level === 'FATAL' ? 24 : RANK.INFO);
  }

  debug(message: string, attributes?: LogAttributes): void {
    this.write('DEBUG', message, attributes);
  }
  info(message: string, attributes?: LogAttributes): void {
    this.write('INFO', message, attributes);
  }
  warn(message: string, attributes?: LogAttributes): void {
    this.write('WARN', message, attributes);
  }
  error(message: string, attributes?: LogAttributes): void {
    this.write('ERROR', message, attributes);
  }

  /** The JSON line of one entry (exported for tests: it is what `write` prints). */
  format(level: Level, message: string, attributes: LogAttributes = {}, now = new Date()): string {
    const trace = /Root=([^;]+)/.exec(process.env._X_AMZN_TRACE_ID ?? '')?.[1];
    const entry = {
      level,
      message,
      timestamp: now.toISOString(),
      service: this.service,
      sampling_rate: 0,
      ...(trace ? { xray_trace_id: trace } : {}),
      ...attributes,
    };
    const seen = new WeakSet<object>();
    return JSON.stringify(entry, (_key, value: unknown) => {
      if (typeof value === 'bigint') return value.toString();
      if (value instanceof Error) return formatError(value);
      if (typeof value === 'object' && value !== null) {
        if (seen.has(value)) return '[Circular]';
        seen.add(value);
      }
      return value;
    });
  }

  private write(level: Level, message: string, attributes?: LogAttributes): void {
    if (RANK[level] < this.threshold) return;
    const line = `${this.format(level, message, attributes)}\n`;
    (RANK[level] >= RANK.WARN ? process.stderr : process.stdout).write(line);
  }
}

function formatError(error: Error): Record<string, unknown> {
  const { name, message, stack, cause, ...rest } = error as Error & Record<string, unknown>;
  return {
    name,
    location: codeLocation(stack),
    message,
    stack,
    cause: cause instanceof Error ? formatError(cause) : cause,
    ...rest,
  };
}

/** `file:line` of the first stack frame that names one, as Powertools reports it. */
function codeLocation(stack: string | undefined): string {
  for (const line of stack?.split('\n') ?? []) {
    const match = /\(([^()]*?):(\d+?):(\d+?)\)\\?$/.exec(line);
    if (match) return `${match[1]}:${Number(match[2])}`;
  }
  return '';
}

/** The one structured logger; the service name tags every line. */
export const logger = new JsonLogger('ceptoar-relay');
