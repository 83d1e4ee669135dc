import { describe, expect, it } from 'vitest';
import { fiscalYearToDate, formatJst, fromJstInput, jstDay, toJstInput } from '../web/src/audit-time.ts';

// The auditor's moments are JST whatever the browser's zone (the tests run in UTC).
describe('audit moments in JST', () => {
  it('reads a datetime-local value as JST and writes an instant back the same way', () => {
    expect(fromJstInput('2026-11-26T10:00:05')).toBe('2026-11-26T01:00:05.000Z');
    expect(fromJstInput('2026-11-26T10:00')).toBe('2026-11-26T01:00:00.000Z');
    expect(fromJstInput('2026-11-26T10:00:05.250')).toBe('2026-11-26T01:00:05.250Z');
    expect(toJstInput('2026-11-26T01:00:05.000Z')).toBe('2026-11-26T10:00:05');
    // An event's own time keeps its milliseconds: the moment then includes the event.
    expect(toJstInput('2026-11-26T01:00:05.999Z')).toBe('2026-11-26T10:00:05.999');
    expect(fromJstInput(toJstInput('2026-11-26T01:00:05.999Z'))).toBe('2026-11-26T01:00:05.999Z');
    expect(toJstInput('2026-11-25T15:00:00.000Z')).toBe('2026-11-26T00:00');
    // As Chromium normalises a datetime-local value: no trailing zeros in the fraction.
    expect(toJstInput('2026-11-26T09:50:56.290Z')).toBe('2026-11-26T18:50:56.29');
    expect(fromJstInput(toJstInput('2026-11-26T09:50:56.290Z'))).toBe('2026-11-26T09:50:56.290Z');
    for (const bad of ['', '2026-11-26', '2026-11-26 10:00', '2026-13-40T10:00', 'yesterday'])
      expect(fromJstInput(bad), bad).toBeNull();
  });

  it('takes a JST day whole, and the fiscal year from 1 April', () => {
    expect(jstDay('2026-04-01')).toEqual({
      start: '2026-03-31T15:00:00.000Z',
      end: '2026-04-01T14:59:59.999Z',
    });
    expect(jstDay('2026-4-1')).toBeNull();
    // 2027-03-31 20:00 UTC is already 1 April in Japan: a new fiscal year.
    expect(fiscalYearToDate(Date.parse('2027-03-31T20:00:00Z'))).toEqual({
      from: '2027-04-01',
      to: '2027-04-01',
    });
    expect(fiscalYearToDate(Date.parse('2027-03-31T14:00:00Z'))).toEqual({
      from: '2026-04-01',
      to: '2027-03-31',
    });
  });

  it('shows an instant in JST with seconds and the zone named, in each language', () => {
    expect(formatJst('2026-11-26T01:00:05.000Z', 'ja')).toBe('2026年11月26日 10:00:05 JST');
    expect(formatJst('2026-11-26T01:00:05.000Z', 'en')).toBe('26 Nov 2026, 10:00:05 JST');
  });
});
