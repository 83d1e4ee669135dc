import type { Channel } from '../../events/incident/incident.ts';

/** A failed attempt the queue retried, as the API shows it (events/api/shapes.ts, retriedAttemptShape). */
export interface ShownAttempt {
  readonly at: string;
  readonly channel: Channel;
  readonly attempt: number;
  readonly error: string;
  readonly nextAttemptAt: string;
}

/** How many attempts failed before an outcome, and the last one's failure; null when none did. */
export function attemptSummary(
  attempts: readonly ShownAttempt[],
): { count: number; error: string; at: string; nextAttemptAt: string } | null {
  const last = attempts.reduce<ShownAttempt | null>(
    (latest, a) => (latest === null || a.at >= latest.at ? a : latest),
    null,
  );
  return (
    last && { count: attempts.length, error: last.error, at: last.at, nextAttemptAt: last.nextAttemptAt }
  );
}

/** One message of a stream (an incident's, an advisory chain's), as the console lists it. */
export interface MessageRow<P extends string> {
  readonly key: string;
  readonly purpose: P;
  readonly channel: Channel;
  /** The directory contact it went to, named in its key (`<version>:<purpose>:<contact>:<channel>`). */
  readonly contact: string;
  /** Its recorded outcome; null while it is still being retried. */
  readonly outcome: { readonly ok: boolean; readonly at: string } | null;
  readonly attempts: ReturnType<typeof attemptSummary>;
}

/**
 * A stream's messages, each with its outcome and the attempts that failed before it, in the order
 * they were first recorded: the deliveries and the attempts joined by the message's key.
 */
export function messageRows<P extends string>(
  deliveries: readonly { key: string; at: string; purpose: P; channel: Channel; ok: boolean }[],
  attempts: readonly (ShownAttempt & { key: string; purpose: P })[],
): MessageRow<P>[] {
  const first = new Map<string, { at: string; purpose: P; channel: Channel }>();
  for (const m of [...attempts, ...deliveries]) {
    const seen = first.get(m.key);
    if (!seen || m.at < seen.at) first.set(m.key, { at: m.at, purpose: m.purpose, channel: m.channel });
  }
  return [...first.entries()]
    .sort(([ka, a], [kb, b]) => a.at.localeCompare(b.at) || ka.localeCompare(kb))
    .map(([key, { purpose, channel }]) => {
      const done = deliveries.find((d) => d.key === key);
      return {
        key,
        purpose,
        channel,
        contact: key.split(':')[2] ?? '',
        outcome: done ? { ok: done.ok, at: done.at } : null,
        attempts: attemptSummary(attempts.filter((a) => a.key === key)),
      };
    });
}
