import * as z from './zod.ts';

// Field schemas shared by the report, the advisory bodies and the directory, as factories: this module
// builds nothing at import, so importing the directory (which nearly every function does) does not build
// the report's schemas too (bench/RESULTS.md, section 2: zod schemas built at import are a cold-start cost).

/** TLP 2.0 labels (FIRST Traffic Light Protocol). */
export const tlpLabels = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export type Tlp = (typeof tlpLabels)[number];

/** A required text field: trimmed, not empty, at most `max` characters. */
export const text = (max: number) =>
  z
    .string()
    .check(
      z.trim(),
      z.minLength(1, 'must not be empty'),
      z.maxLength(max, `must be at most ${max} characters`),
    );

/** A phone number in E.164 form (+81…), the form SMS delivery needs. */
export const e164Phone = () =>
  z.string().check(z.regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number such as +81312345678'));
