import * as z from './zod.ts';

// Field schemas shared by the report, the advisory bodies and the directory, as factories: this module
// builds nothing at import, so importing the directory (which nearly every function does) does not build
// the report's schemas too (bench/RESULTS.md, section 2: zod schemas built at import are a cold-start cost).

/** TLP 2.0 labels (FIRST Traffic Light Protocol). */
export const tlpLabels = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export type Tlp = (typeof tlpLabels)[number];

// C0 controls but tab and line breaks, DEL, C1 controls, the bidirectional embeddings, overrides and
// isolates (they reorder what a reader sees: "Trojan Source"), and unpaired surrogates (no text at all).
const HIDDEN_CONTROL =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|\p{Cs}/u;

/**
 * True when a string starting YYYY-MM-DD names a day the calendar has: Date.parse reads 2026-02-30
 * as 2 March, which a caller who sent it did not mean.
 */
export const isCalendarDate = (s: string): boolean => {
  const day = s.slice(0, 10);
  const t = Date.parse(`${day}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().startsWith(day);
};

/** Refuses text with characters that hide or reorder what people read; every other Unicode text is kept as sent. */
export const plainText = () =>
  z.refine<string>(
    (s) => !HIDDEN_CONTROL.test(s),
    'must not contain control characters, bidirectional overrides or unpaired surrogates',
  );

/**
 * A required text field: no hidden controls (anywhere, before trimming: a vertical tab at the end
 * is refused, not silently cut), trimmed, not empty, at most `max` characters.
 */
export const text = (max: number) =>
  z
    .string()
    .check(
      plainText(),
      z.trim(),
      z.minLength(1, 'must not be empty'),
      z.maxLength(max, `must be at most ${max} characters`),
    );

/** A phone number in E.164 form (+81…), the form SMS delivery needs. */
export const e164Phone = () =>
  z.string().check(z.regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number such as +81312345678'));
