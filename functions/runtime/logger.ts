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
  private threshold: number;

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

  /** Changes the level at run time (as Powertools' setLogLevel). */
  setLogLevel(level: Level): void {
    this.threshold = RANK[level];
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
      // Every string of the line, errors' included (they are formatted into objects first).
      if (typeof value === 'string') return redact(value);
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

// What must never reach a log in clear (docs/SECURITY.md, API3/API8): bearer tokens and signed
// acknowledgement links (both JWTs), e-mail addresses and phone numbers (E.164, the form the directory
// keeps). SDK and delivery errors quote addresses ("Email address is not verified: …"), so every string
// of every line is masked, not only the fields we write ourselves.
const SECRETS: readonly [RegExp, string][] = [
  [/\beyJ[\w-]*\.[\w-]*\.[\w-]*/g, '[jwt]'],
  [/\b(Bearer|Basic)\s+[\w.~+/=-]+/gi, '$1 [redacted]'],
  [/[\w.!#$%&'*+/=?^`{|}~-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+/gi, '[email]'],
  [/\+[1-9]\d{6,14}\b/g, '[phone]'],
];

/** A string with tokens, e-mail addresses and phone numbers masked. */
export function redact(text: string): string {
  return SECRETS.reduce((s, [pattern, mask]) => s.replace(pattern, mask), text);
}

/** The one structured logger; the service name tags every line, and no line carries a secret in clear. */
export const logger = new JsonLogger('ceptoar-relay');
