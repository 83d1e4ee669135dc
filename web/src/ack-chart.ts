// The drill report's chart, pure: the cumulative share of recipient organisations that acknowledged,
// against the seconds since distribution, as steps, with the window's end marked.

export interface AckCurveInput {
  readonly distributedAt: string | null;
  readonly ackDueAt: string | null;
  readonly windowHours: number;
  readonly overall: { readonly recipients: number };
  readonly recipients: readonly { readonly secondsToAcknowledge: number | null }[];
}

export interface AckCurve {
  /** Recipient organisations (the denominator). */
  readonly total: number;
  /** The window's length in seconds: where the deadline is marked. */
  readonly windowSeconds: number;
  /** The x axis' end: the window, or later if acknowledgements or the clock went past it. */
  readonly endSeconds: number;
  /** Each acknowledgement in time order: when, how many so far, their share. */
  readonly steps: readonly { seconds: number; count: number; share: number }[];
  /** Where the line stops: now while the window is open, else the axis' end. */
  readonly untilSeconds: number;
}

/** The curve of a report at `now` (ms), or null before distribution. */
export function ackCurve(report: AckCurveInput, now: number): AckCurve | null {
  if (report.distributedAt === null) return null;
  const total = report.overall.recipients;
  // From the recorded times (a scaled local clock shortens the window), else from the hours asked for.
  const windowSeconds = report.ackDueAt
    ? Math.max(0, (Date.parse(report.ackDueAt) - Date.parse(report.distributedAt)) / 1000)
    : report.windowHours * 3600;
  const times = report.recipients
    .map((r) => r.secondsToAcknowledge)
    .filter((s): s is number => s !== null)
    .map((s) => Math.max(0, s))
    .sort((a, b) => a - b);
  const elapsed = Math.max(0, (now - Date.parse(report.distributedAt)) / 1000);
  const endSeconds = Math.max(windowSeconds, times.at(-1) ?? 0);
  return {
    total,
    windowSeconds,
    endSeconds,
    steps: times.map((seconds, i) => ({ seconds, count: i + 1, share: total === 0 ? 0 : (i + 1) / total })),
    untilSeconds: Math.min(endSeconds, Math.max(elapsed, times.at(-1) ?? 0)),
  };
}

/** The SVG path of the curve's steps in a plot of `width` × `height` (y grows downwards). */
export function stepPath(curve: AckCurve, width: number, height: number): string {
  const x = (s: number) => (curve.endSeconds === 0 ? 0 : (s / curve.endSeconds) * width);
  const y = (share: number) => height - share * height;
  const parts = [`M0,${y(0)}`];
  for (const step of curve.steps) {
    parts.push(`H${x(step.seconds).toFixed(1)}`, `V${y(step.share).toFixed(1)}`);
  }
  parts.push(`H${x(curve.untilSeconds).toFixed(1)}`);
  return parts.join(' ');
}
