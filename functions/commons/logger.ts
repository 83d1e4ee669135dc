import { Logger } from '@aws-lambda-powertools/logger';

// What must never reach a log in clear (docs/SECURITY.md, API3/API8): bearer tokens and signed
// acknowledgement links (both JWTs), e-mail addresses and phone numbers (E.164, the form the directory
// keeps). SDK and delivery errors quote addresses ("Email address is not verified: …"), so every string
// of every line is masked, not only the fields we write ourselves.
const SECRETS: readonly [RegExp, string][] = [
  [/\beyJ[\w-]*\.[\w-]*\.[\w-]*/g, '[jwt]'],
  [/\b(Bearer|Basic)\s+[\w.~+/=-]+/gi, '$1 [redacted]'],
  [/[\w.!#$%&'*+/=?^`{|}~-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+/gi, '[email]'],
  [/\+[1-9]\d{6,14}\b/g, '[phone]'],
];

/** A string with tokens, e-mail addresses and phone numbers masked. */
export function redact(text: string): string {
  return SECRETS.reduce((s, [pattern, mask]) => s.replace(pattern, mask), text);
}

/** The one structured logger; the service name tags every line, and no line carries a secret in clear. */
export const logger = new Logger({
  serviceName: 'ceptoar-relay',
  jsonReplacerFn: (_key, value) => (typeof value === 'string' ? redact(value) : value),
});
