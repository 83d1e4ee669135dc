import { describe, expect, it } from 'vitest';
import { JsonLogger } from '../functions/runtime/logger.ts';

const NOW = new Date('2026-12-03T00:00:00.000Z');

describe('the JSON logger', () => {
  it("writes Powertools Logger's default fields, then the entry's own keys", () => {
    const line = new JsonLogger('ceptoar-relay', {}).format('WARN', 'delivery failed', { key: 'k1' }, NOW);
    expect(JSON.parse(line)).toEqual({
      level: 'WARN',
      message: 'delivery failed',
      timestamp: '2026-12-03T00:00:00.000Z',
      service: 'ceptoar-relay',
      sampling_rate: 0,
      key: 'k1',
    });
    expect(Object.keys(JSON.parse(line))[0]).toBe('level');
  });

  it('writes an error with its name, location, message, stack, cause and own keys', () => {
    const error = Object.assign(new Error('boom', { cause: new TypeError('inner') }), { code: 'X1' });
    const logged = JSON.parse(new JsonLogger('s', {}).format('ERROR', 'request failed', { error }, NOW));
    expect(logged.error).toMatchObject({
      name: 'Error',
      message: 'boom',
      stack: error.stack,
      code: 'X1',
      cause: { name: 'TypeError', message: 'inner' },
    });
    // The first frame in parentheses, as Powertools picks it (here maybe the test runner's).
    expect(logged.error.location).toMatch(/^.+:\d+$/);
  });

  it('survives circular values and bigints', () => {
    const loop: Record<string, unknown> = { n: 1n };
    loop.self = loop;
    expect(JSON.parse(new JsonLogger('s', {}).format('INFO', 'm', { loop }, NOW)).loop).toEqual({
      n: '1',
      self: '[Circular]',
    });
  });
});
