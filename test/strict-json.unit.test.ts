import { describe, expect, it } from 'vitest';
import { ValidationError } from '../events/errors.ts';
import { reportIncidentBody, text } from '../events/incident/report.ts';
import { instantParam } from '../functions/audit/audit-http.ts';
import { MAX_JSON_DEPTH, parseStrictJson } from '../functions/http/strict-json.ts';
import { RANSOMWARE_REPORT } from './support/fixtures.ts';

const bytes = (s: string) => new TextEncoder().encode(s);
const refusal = (raw: string | Uint8Array) => {
  try {
    parseStrictJson(typeof raw === 'string' ? bytes(raw) : raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as Error).message;
  }
  return 'accepted';
};

describe('strict JSON bodies (found by test/api-hostile.int.test.ts)', () => {
  it('reads ordinary JSON, escapes and surrogate pairs included', () => {
    expect(parseStrictJson(bytes('{"a":"\\u65e5\\ud83d\\ude00","b":[{"a":1},{"a":2}],"c":"\\"}"}'))).toEqual({
      a: '日😀',
      b: [{ a: 1 }, { a: 2 }],
      c: '"}',
    });
  });

  it('refuses a key twice in one object, however it is spelt', () => {
    expect(refusal('{"title":"a","title":"b"}')).toMatch(/appears twice/);
    expect(refusal('{"title":"a","\\u0074itle":"b"}')).toMatch(/appears twice/);
    expect(refusal('{"contact":{"name":"a","x":{},"name":"b"}}')).toMatch(/appears twice/);
    // The same key in sibling objects is no repeat.
    expect(refusal('[{"a":1},{"a":1}]')).toBe('accepted');
    expect(refusal('{"a":"title","title":"a"}')).toBe('accepted');
  });

  it('refuses unpaired surrogates, which the log’s canonical JSON cannot hash (a 500 before)', () => {
    for (const s of ['\\ud800', '\\udfff', 'x\\udc00y', '\\ud83d\\u0041']) {
      expect(refusal(`{"note":"${s}"}`)).toMatch(/unpaired surrogate/);
    }
    expect(refusal('{"\\ud800":1}')).toMatch(/unpaired surrogate/);
  });

  it('refuses bytes that are not UTF-8 instead of reading them as U+FFFD', () => {
    expect(refusal(new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]))).toMatch(
      /UTF-8/,
    );
    expect(refusal(new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22]))).toMatch(/UTF-8/);
    expect(refusal(`\ufeff{}`)).toMatch(/not valid JSON/);
  });

  it(`refuses nesting deeper than ${MAX_JSON_DEPTH} levels`, () => {
    const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    expect(refusal(deep(MAX_JSON_DEPTH))).toBe('accepted');
    expect(refusal(deep(MAX_JSON_DEPTH + 1))).toMatch(/nests deeper/);
    expect(refusal(`{"a":${deep(100_000)}}`)).toMatch(/nests deeper|not valid JSON/);
  });
});

describe('text fields', () => {
  const field = text(200);
  it.each([
    ['Japanese with full-width digits', '化学プラント１号機の障害（第２報）'],
    ['combining marks', 'Cafe\u0301 re\u0301sume\u0301 ｶﾞ'],
    ['Arabic and Hebrew letters', 'مصنع כימיה'],
    ['emoji and a zero-width joiner', '🏭 👩\u200d💻'],
    ['tabs and line breaks', 'line 1\n\tline 2\r\nline 3'],
    ['left-to-right and right-to-left marks', 'ABC\u200fDEF\u200e'],
  ])('keep %s as sent', (_what, value) => {
    expect(field.safeParse(value)).toEqual({ success: true, data: value });
  });

  it.each([
    ['NUL', 'a\u0000b'],
    ['escape', '\u001b[31mred'],
    ['DEL', 'a\u007f'],
    ['a C1 control', 'a\u0085b'],
    ['a right-to-left override (Trojan Source)', 'invoice_\u202egnp.exe'],
    ['a bidirectional isolate', 'a\u2066b\u2069'],
    ['an unpaired surrogate', 'a\ud800b'],
  ])('refuse %s', (_what, value) => {
    expect(field.safeParse(value).success).toBe(false);
    expect(reportIncidentBody().safeParse({ ...RANSOMWARE_REPORT, title: value }).success).toBe(false);
  });
});

describe('instants in query parameters (found by test/api-hostile.int.test.ts with a random seed)', () => {
  it('refuses a day the calendar does not have and hour 24 instead of reading them as another day', () => {
    for (const raw of [
      '2026-02-30T00:00:00Z',
      '2026-04-31T09:00:00+09:00',
      '2026-11-26T24:00:00Z',
      '2026-02-29',
    ])
      expect(() => instantParam(raw, 'asOf'), raw).toThrow(ValidationError);
    expect(instantParam('2028-02-29T09:00:00+09:00', 'asOf')).toBe('2028-02-29T00:00:00.000Z');
    expect(instantParam('2026-11-26T23:59:59Z', 'asOf')).toBe('2026-11-26T23:59:59.000Z');
  });
});
