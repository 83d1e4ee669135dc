import { describe, expect, it } from 'vitest';
import { type HttpEvent, httpHandler } from '../functions/http/http.ts';
import {
  DEFAULT_RATE_LIMITS,
  parseRateLimits,
  RateLimiter,
  type RateLimits,
} from '../functions/http/rate-limit.ts';

const TIGHT: RateLimits = { caller: { perSecond: 1, burst: 3 }, org: { perSecond: 2, burst: 5 } };

/** A limiter on a clock the test moves. */
function limiterAt(limits = TIGHT, maxBuckets?: number) {
  const clock = { ms: 0 };
  return { clock, limiter: new RateLimiter(limits, () => clock.ms, maxBuckets) };
}

describe('the token buckets', () => {
  it('lets a caller burst, then refuses with the whole seconds until the next token', () => {
    const { clock, limiter } = limiterAt();
    expect([1, 2, 3].map(() => limiter.take('alice', 'asahi'))).toEqual([0, 0, 0]);
    expect(limiter.take('alice', 'asahi')).toBe(1);
    clock.ms = 999;
    expect(limiter.take('alice', 'asahi')).toBe(1);
    clock.ms = 1000;
    expect(limiter.take('alice', 'asahi')).toBe(0);
  });

  it('keeps a flooding caller from using up its colleagues’ share of the organisation', () => {
    const { limiter } = limiterAt();
    for (let i = 0; i < 50; i++) limiter.take('flooder', 'asahi');
    // The flooder took 3 of the organisation's 5; its colleague has the other 2.
    expect(limiter.take('colleague', 'asahi')).toBe(0);
    expect(limiter.take('colleague', 'asahi')).toBe(0);
    expect(limiter.take('colleague', 'asahi')).toBe(1);
    expect(limiter.take('someone', 'kaigan')).toBe(0);
  });

  it('forgets quiet callers first when it holds its maximum of buckets', () => {
    const { clock, limiter } = limiterAt(TIGHT, 4);
    for (let i = 0; i < 3; i++) limiter.take('busy', 'asahi');
    expect(limiter.take('busy', 'asahi')).toBe(1);
    clock.ms = 10_000; // every bucket has refilled: nobody is busy any more
    limiter.take('a', 'kaigan');
    limiter.take('b', 'kaigan');
    // Memory stays bounded whatever the number of callers.
    for (let i = 0; i < 100; i++) limiter.take(`caller-${i}`, `org-${i}`);
    expect((limiter as unknown as { buckets: Map<string, unknown> }).buckets.size).toBeLessThanOrEqual(4);
  });

  it('limits nothing when both are off', () => {
    const { limiter } = limiterAt({ caller: null, org: null });
    for (let i = 0; i < 1000; i++) expect(limiter.take('alice', 'asahi')).toBe(0);
  });
});

describe('CEPTOAR_RATE_LIMITS', () => {
  it('defaults when unset, turns off, and keeps the default of a bucket left out', () => {
    expect(parseRateLimits(undefined)).toEqual(DEFAULT_RATE_LIMITS);
    expect(parseRateLimits('off')).toEqual({ caller: null, org: null });
    expect(parseRateLimits('{"org":"off","caller":{"perSecond":2,"burst":4}}')).toEqual({
      caller: { perSecond: 2, burst: 4 },
      org: null,
    });
    expect(parseRateLimits('{"caller":{"perSecond":0.5,"burst":1}}').org).toEqual(DEFAULT_RATE_LIMITS.org);
  });

  it.each([
    '{',
    '"on"',
    '{"caller":{"perSecond":0,"burst":1}}',
    '{"caller":{"perSecond":1}}',
    '{"user":"off"}',
  ])('refuses %s', (text) => {
    expect(() => parseRateLimits(text)).toThrow(/CEPTOAR_RATE_LIMITS/);
  });
});

describe('a handler past the limit', () => {
  it('answers 429 problem+json with Retry-After before it reads anything', async () => {
    const event = {
      headers: {},
      rawPath: '/incidents',
      requestContext: {
        http: { method: 'GET', path: '/incidents' },
        authorizer: {
          jwt: { claims: { sub: 'unit-flooder', 'cognito:groups': ['member'], 'custom:org': 'unit-org' } },
        },
      },
    };
    let ran = 0;
    const handler = httpHandler({ allow: ['member'] }, async () => {
      ran += 1;
      return { status: 200, body: { ok: true } };
    });
    // The default limits (CEPTOAR_RATE_LIMITS is unset here): the caller's burst, then refused.
    const burst = DEFAULT_RATE_LIMITS.caller?.burst ?? 0;
    const answers = [];
    for (let i = 0; i <= burst; i++) answers.push(await handler(event as unknown as HttpEvent, {} as never));
    expect(ran).toBe(burst);
    const last = answers.at(-1);
    expect(last?.statusCode).toBe(429);
    expect(last?.headers).toMatchObject({ 'content-type': 'application/problem+json', 'retry-after': '1' });
    expect(JSON.parse(last?.body ?? '{}')).toMatchObject({ status: 429, title: 'Too Many Requests' });
  });
});
