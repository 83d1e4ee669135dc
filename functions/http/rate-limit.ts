import * as z from '../../events/zod.ts';

/** A token bucket: `perSecond` requests a second on average, `burst` at once. */
export interface BucketLimit {
  readonly perSecond: number;
  readonly burst: number;
}

/** The limits per caller (token `sub`) and per organisation (`custom:org`, else the role); null: no limit. */
export interface RateLimits {
  readonly caller: BucketLimit | null;
  readonly org: BucketLimit | null;
}

/** The limits when `CEPTOAR_RATE_LIMITS` sets none (README, "Rate limits"). */
export const DEFAULT_RATE_LIMITS: RateLimits = {
  caller: { perSecond: 10, burst: 50 },
  org: { perSecond: 25, burst: 100 },
};

/** A bucket's setting: `off` or its limit. */
const bucketSchema = () =>
  z.union([
    z.literal('off'),
    z.strictObject({
      perSecond: z.number().check(z.positive(), z.maximum(100_000)),
      burst: z.int().check(z.minimum(1), z.maximum(1_000_000)),
    }),
  ]);

/**
 * The setting's schema, built on use: a deployment without `CEPTOAR_RATE_LIMITS` (the default) never
 * parses one, and every HTTP function would otherwise build it at import (bench/RESULTS.md, section 2).
 */
const limitsSchema = () => {
  const bucket = bucketSchema();
  return z.union([z.literal('off'), z.strictObject({ caller: z.optional(bucket), org: z.optional(bucket) })]);
};

/**
 * Reads `CEPTOAR_RATE_LIMITS`: `off`, or JSON such as `{"caller":{"perSecond":10,"burst":50},"org":"off"}`;
 * a bucket left out keeps its default. Anything else throws, so a bad setting fails at start, not per request.
 */
export function parseRateLimits(text: string | undefined): RateLimits {
  if (text === undefined || text.trim() === '') return DEFAULT_RATE_LIMITS;
  let json: unknown = text.trim();
  if (json !== 'off') {
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error('CEPTOAR_RATE_LIMITS must be "off" or JSON');
    }
  }
  const parsed = limitsSchema().safeParse(json);
  if (!parsed.success) throw new Error(`CEPTOAR_RATE_LIMITS is invalid: ${z.prettifyError(parsed.error)}`);
  if (parsed.data === 'off') return { caller: null, org: null };
  const pick = (
    value: z.output<ReturnType<typeof bucketSchema>> | undefined,
    fallback: BucketLimit | null,
  ) => (value === undefined ? fallback : value === 'off' ? null : value);
  return {
    caller: pick(parsed.data.caller, DEFAULT_RATE_LIMITS.caller),
    org: pick(parsed.data.org, DEFAULT_RATE_LIMITS.org),
  };
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets in this process's memory: one per caller and one per organisation. In Lambda
 * that is one set per warm container, so the limits hold per container (docs/SECURITY.md, API4);
 * API Gateway's stage and route throttling bounds the whole.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limits: RateLimits,
    private readonly now: () => number = Date.now,
    /** Buckets kept at most; past it, full ones (callers gone quiet) are forgotten first. */
    private readonly maxBuckets = 10_000,
  ) {}

  /**
   * Takes one request from the caller's bucket and its organisation's, or from neither: a
   * caller refused by its own limit does not use up its colleagues' share. Returns 0 when the
   * request may go ahead, else the whole seconds until it may be retried.
   */
  take(caller: string, org: string): number {
    const now = this.now();
    const entries: [Bucket, BucketLimit][] = [];
    if (this.limits.caller)
      entries.push([this.refill(`c:${caller}`, this.limits.caller, now), this.limits.caller]);
    if (this.limits.org) entries.push([this.refill(`o:${org}`, this.limits.org, now), this.limits.org]);
    let wait = 0;
    for (const [b, limit] of entries) {
      if (b.tokens < 1) wait = Math.max(wait, Math.ceil((1 - b.tokens) / limit.perSecond));
    }
    if (wait > 0) return wait;
    for (const [b] of entries) b.tokens -= 1;
    return 0;
  }

  private refill(key: string, limit: BucketLimit, now: number): Bucket {
    let b = this.buckets.get(key);
    if (b === undefined) {
      if (this.buckets.size >= this.maxBuckets) this.evict(now);
      b = { tokens: limit.burst, at: now };
      this.buckets.set(key, b);
      return b;
    }
    b.tokens = Math.min(limit.burst, b.tokens + (Math.max(0, now - b.at) / 1000) * limit.perSecond);
    b.at = now;
    return b;
  }

  private evict(now: number): void {
    for (const [key, b] of this.buckets) {
      const limit = key.startsWith('c:') ? this.limits.caller : this.limits.org;
      if (limit && b.tokens + ((now - b.at) / 1000) * limit.perSecond >= limit.burst)
        this.buckets.delete(key);
    }
    // Everyone still busy: drop the oldest, which at worst gives one caller a fresh burst.
    const oldest = this.buckets.keys().next();
    if (this.buckets.size >= this.maxBuckets && !oldest.done) this.buckets.delete(oldest.value);
  }
}

let shared: RateLimiter | undefined;

/** The process's limiter, made on first use from `CEPTOAR_RATE_LIMITS` (the local stack sets it before). */
export const rateLimiter = (): RateLimiter =>
  (shared ??= new RateLimiter(parseRateLimits(process.env.CEPTOAR_RATE_LIMITS)));
