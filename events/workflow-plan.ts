/**
 * What a Plan → Wait → Escalate workflow (the relay's, the advisory's; infra/relay-workflow.ts)
 * does next, read from its aggregate's state alone: wait for a deadline, stop as stalled, or end.
 */
export type WaitPlan<H extends string> =
  | { next: 'done'; hop: null; attempt: 0; dueAt: null; timeoutSeconds: 1 }
  | { next: 'stalled'; hop: H; attempt: number; dueAt: string | null; timeoutSeconds: 1 }
  | { next: 'wait'; hop: H; attempt: number; dueAt: string; timeoutSeconds: number };

/** Nothing left to wait for. */
export const DONE = { next: 'done', hop: null, attempt: 0, dueAt: null, timeoutSeconds: 1 } as const;

/** Waits until `dueAt`: the whole seconds left, at least one (a past deadline times out at once). */
export function waitUntil<H extends string>(
  hop: H,
  attempt: number,
  dueAt: string,
  now: string,
): WaitPlan<H> {
  const left = Math.ceil((Date.parse(dueAt) - Date.parse(now)) / 1000);
  return { next: 'wait', hop, attempt, dueAt, timeoutSeconds: Math.max(1, left) };
}

/**
 * The plan for a hop with a deadline and escalations so far: wait for its deadline (the attempt
 * is the number of escalations), or stop when the hop stalled or has no deadline.
 */
export function planHop<H extends string>(
  hop: H,
  progress: { readonly dueAt: string | null; readonly escalations: readonly unknown[] } | null,
  stalledHop: H | null,
  now: string,
): WaitPlan<H> {
  const attempt = progress?.escalations.length ?? 0;
  const dueAt = progress?.dueAt ?? null;
  if (stalledHop === hop || dueAt === null)
    return { next: 'stalled', hop, attempt, dueAt, timeoutSeconds: 1 };
  return waitUntil(hop, attempt, dueAt, now);
}

/** One missed deadline of a hop: when, which escalation, the deadline missed and the next one. */
export interface Escalation {
  readonly at: string;
  readonly escalation: number;
  readonly missedDueAt: string;
  readonly nextDueAt: string;
}

/** A hop's progress after a missed deadline: the next deadline, with the escalation recorded. */
export function escalated<P extends { dueAt: string | null; escalations: Escalation[] }>(
  progress: P,
  at: string,
  missed: { escalation: number; missedDueAt: string; nextDueAt: string },
): P {
  const { escalation, missedDueAt, nextDueAt } = missed;
  return {
    ...progress,
    dueAt: nextDueAt,
    escalations: [...progress.escalations, { at, escalation, missedDueAt, nextDueAt }],
  };
}
