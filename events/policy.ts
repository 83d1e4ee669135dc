import * as z from './zod.ts';

/** Severity of an incident; it sets every hop's deadline. */
export const severities = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof severities)[number];

/**
 * The hops of the upward relay that run against a deadline. `member` is the reporting
 * company's turn after the secretariat returned its report for more information.
 */
export const hops = ['secretariat', 'member', 'ministry', 'nisc'] as const;
export type Hop = (typeof hops)[number];

/** The hops of the downward (advisory) chain that forward within a deadline. */
export const forwardPolicyHops = ['ministry_forward', 'secretariat_forward'] as const;
export type ForwardPolicyHop = (typeof forwardPolicyHops)[number];

// The schemas are built on first use only: every writing function imports the policy, and only an
// override (CEPTOAR_RELAY_POLICY, the CDK context relayPolicy) needs them; building zod schemas at
// import is a measurable part of a cold start (bench/RESULTS.md, section 2).
const hours = () => z.number().check(z.positive());
const hoursBySeverity = () =>
  z.strictObject({ critical: hours(), high: hours(), medium: hours(), low: hours() });
const escalations = () => z.int().check(z.minimum(0), z.maximum(10));

/** The relay policy: deadline hours per hop and severity, and the escalation bound. */
export const relayPolicySchema = () =>
  z.strictObject({
    deadlineHours: z.strictObject({
      secretariat: hoursBySeverity(),
      member: hoursBySeverity(),
      ministry: hoursBySeverity(),
      nisc: hoursBySeverity(),
      ministry_forward: hoursBySeverity(),
      secretariat_forward: hoursBySeverity(),
    }),
    maxEscalations: escalations(),
  });
export type RelayPolicyConfig = z.output<ReturnType<typeof relayPolicySchema>>;

const standardHours = { critical: 1, high: 4, medium: 24, low: 72 };

/** Defaults: every hop within 1 h (critical), 4 h (high), 24 h (medium), 72 h (low); 3 escalations. */
export const defaultRelayPolicy: RelayPolicyConfig = {
  // One object per hop: structuredClone keeps shared references shared, so an override of one hop
  // would otherwise change them all.
  deadlineHours: {
    secretariat: { ...standardHours },
    member: { ...standardHours },
    ministry: { ...standardHours },
    nisc: { ...standardHours },
    ministry_forward: { ...standardHours },
    secretariat_forward: { ...standardHours },
  },
  maxEscalations: 3,
};

/** The policy as the domain uses it: durations in milliseconds, already time-scaled. */
export interface RelayPolicy {
  readonly deadlineMs: (hop: Hop | ForwardPolicyHop, severity: Severity) => number;
  /** A duration in milliseconds, time-scaled like the deadlines (an advisory's acknowledgement window). */
  readonly scaleMs: (ms: number) => number;
  readonly maxEscalations: number;
}

const overrideSchema = () =>
  z.strictObject({
    deadlineHours: z.optional(
      z.partial(
        z.strictObject({
          secretariat: z.partial(hoursBySeverity()),
          member: z.partial(hoursBySeverity()),
          ministry: z.partial(hoursBySeverity()),
          nisc: z.partial(hoursBySeverity()),
          ministry_forward: z.partial(hoursBySeverity()),
          secretariat_forward: z.partial(hoursBySeverity()),
        }),
      ),
    ),
    maxEscalations: z.optional(escalations()),
  });

/**
 * Builds the policy from the defaults, an optional JSON override (partial: only the
 * hours that differ) and a time scale that divides every duration (local runs only).
 */
export function relayPolicy(
  options: { override?: string | undefined; timeScale?: number } = {},
): RelayPolicy {
  const scale = options.timeScale ?? 1;
  if (!(scale > 0)) throw new Error(`time scale must be a positive number, got ${scale}`);
  const config = structuredClone(defaultRelayPolicy);
  if (options.override) {
    const parsed = overrideSchema().parse(JSON.parse(options.override));
    for (const hop of [...hops, ...forwardPolicyHops])
      Object.assign(config.deadlineHours[hop], parsed.deadlineHours?.[hop] ?? {});
    if (parsed.maxEscalations !== undefined) config.maxEscalations = parsed.maxEscalations;
    // The defaults hold by construction (a unit test parses them); an override is checked whole.
    relayPolicySchema().parse(config);
  }
  return {
    deadlineMs: (hop, severity) => Math.round((config.deadlineHours[hop][severity] * 3_600_000) / scale),
    scaleMs: (ms) => Math.round(ms / scale),
    maxEscalations: config.maxEscalations,
  };
}

/**
 * The policy an incident runs under: the deployment's, or the hours its sector recorded when it was
 * reported (a sector's own relay policy), time-scaled as the deployment's are.
 */
export function withOwnPolicy(base: RelayPolicy, own: RelayPolicyConfig | undefined): RelayPolicy {
  if (own === undefined) return base;
  return {
    deadlineMs: (hop, severity) => base.scaleMs(own.deadlineHours[hop][severity] * 3_600_000),
    scaleMs: base.scaleMs,
    maxEscalations: own.maxEscalations,
  };
}
