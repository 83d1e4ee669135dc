import canonicalize from 'canonicalize';
import { describe, expect, it } from 'vitest';
import { leafContent, leafJson } from '../events/audit/canonical.ts';
import { canonicalJson } from '../events/audit/hash.ts';

/** A small seeded generator, so a failure reproduces. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const STRINGS = [
  '',
  'a',
  'é',
  '日本語',
  '😀',
  '\u2028',
  '"quote"',
  'back\\slash',
  '\n\t\u0001',
  'A',
  'a',
  'aa',
  '\u00e9',
  'e\u0301',
  '\ud83d\ude00',
  '€',
  'z',
];
const NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.1,
  1e21,
  1e-7,
  5e-324,
  1.7976931348623157e308,
  333333333.3333333,
  2 ** 53,
  -(2 ** 31),
  4.5,
  1e20,
];

function value(next: () => number, depth: number): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
  const r = next();
  if (depth <= 0 || r < 0.4) {
    return pick<unknown>([null, true, false, pick(STRINGS), pick(NUMBERS), next() * 1e6 - 5e5]);
  }
  if (r < 0.7) return Array.from({ length: Math.floor(next() * 4) }, () => value(next, depth - 1));
  const o: Record<string, unknown> = {};
  for (let i = Math.floor(next() * 5); i > 0; i--)
    o[pick(STRINGS) + pick(['', '1', 'B', '_'])] = value(next, depth - 1);
  return o;
}

describe('canonical JSON (RFC 8785)', () => {
  it('is byte for byte what the canonicalize package produces, on 5,000 generated values', () => {
    const next = rng(8785);
    for (let i = 0; i < 5000; i++) {
      const v = value(next, 4);
      expect(canonicalJson(v)).toBe(canonicalize(v));
    }
  });

  it('matches the RFC 8785 §3.2.3 sorting example and its number forms', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    // Read the values in text order: JSON.parse would move the integer-like key "1" first.
    expect([...canonicalJson(input).matchAll(/:"([^"]*)"/g)].map((m) => m[1])).toEqual([
      'Carriage Return',
      'One',
      'Control',
      'Latin Small Letter O With Diaeresis',
      'Euro Sign',
      'Emoji: Grinning Face',
      'Hebrew Letter Dalet With Dagesh',
    ]);
    expect(canonicalJson([JSON.parse('333333333.33333329') as number, 1e30, 4.5, 2e-3, 1e-27])).toBe(
      '[333333333.3333333,1e+30,4.5,0.002,1e-27]',
    );
  });

  it('refuses what JSON cannot carry, as the package does', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/NaN/);
    expect(() => canonicalJson([Number.POSITIVE_INFINITY])).toThrow(/Infinity/);
    expect(() => canonicalJson('\ud800')).toThrow(/surrogate/);
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(canonicalJson([undefined])).toBe('[null]');
    expect(canonicalJson({ d: new Date(0) })).toBe('{"d":"1970-01-01T00:00:00.000Z"}');
  });

  it('writes a Merkle leaf as canonicalJson does, and refuses what it refuses', () => {
    const next = rng(9162);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
    const versions = [0, -0, 1, 42, 2 ** 53 - 1, 2 ** 53, -7, 4.5, 1e21];
    for (let i = 0; i < 5000; i++) {
      const leaf = {
        streamId: `${pick(STRINGS)}#${pick(STRINGS)}${Math.floor(next() * 1e9)}`,
        version: next() < 0.8 ? Math.floor(next() * 1e6) : pick(versions),
        hash:
          next() < 0.8
            ? Math.floor(next() * 2 ** 52)
                .toString(16)
                .padStart(64, '0')
            : pick(STRINGS),
      };
      expect(leafJson(leaf)).toBe(canonicalJson(leafContent(leaf)));
      expect(leafJson(leaf)).toBe(canonicalize(leafContent(leaf)));
    }
    expect(() => leafJson({ streamId: 'incident#\ud800', version: 1, hash: 'a' })).toThrow(/surrogate/);
    expect(() => leafJson({ streamId: 'incident#a', version: 1, hash: '\udc00' })).toThrow(/surrogate/);
    expect(() => leafJson({ streamId: 'incident#a', version: Number.NaN, hash: 'a' })).toThrow(/NaN/);
  });
});
