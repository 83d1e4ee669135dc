import { ValidationError } from '../../events/errors.ts';

/** Bodies nest no deeper than this; the contract's deepest body (a directory entry) needs 4. */
export const MAX_JSON_DEPTH = 32;

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const LONE_SURROGATE = /\p{Cs}/u;

const refuse = (message: string, path = '(body)') => new ValidationError(message, [{ path, message }]);

/**
 * Parses a request body as strict JSON (RFC 8259 with the I-JSON rules of RFC 7493): UTF-8 without
 * a byte-order mark and without invalid bytes, no key twice in an object (which of two values a
 * parser keeps differs between parsers), no unpaired surrogate (the log's canonical JSON, RFC 8785,
 * cannot hash one), at most {@link MAX_JSON_DEPTH} levels deep. Anything else is a ValidationError.
 */
export function parseStrictJson(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = fatalUtf8.decode(bytes);
  } catch {
    throw refuse('the body is not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw refuse('the body is not valid JSON');
  }
  checkStructure(text);
  return value;
}

/** One pass over text JSON.parse accepted: keys per object, nesting depth, escaped surrogates. */
function checkStructure(text: string): void {
  // Per open container: the keys seen (an object) or null (an array), and whether a key comes next.
  const open: { keys: Set<string> | null; key: boolean }[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      let escaped = false;
      for (i++; text.charCodeAt(i) !== 0x22; i++) {
        if (text.charCodeAt(i) === 0x5c /* \ */) {
          escaped = true;
          i++;
        }
      }
      const top = open.at(-1);
      const isKey = top?.keys != null && top.key;
      if (!isKey && !escaped) continue;
      const decoded = JSON.parse(text.slice(start, i + 1)) as string;
      if (escaped && LONE_SURROGATE.test(decoded))
        throw refuse('the body holds an unpaired surrogate, which is not text');
      if (isKey && top?.keys) {
        if (top.keys.has(decoded))
          throw refuse(`the key ${JSON.stringify(decoded)} appears twice in one object`);
        top.keys.add(decoded);
        top.key = false;
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (open.length >= MAX_JSON_DEPTH) throw refuse(`the body nests deeper than ${MAX_JSON_DEPTH} levels`);
      open.push({ keys: c === 0x7b ? new Set() : null, key: c === 0x7b });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      open.pop();
    } else if (c === 0x2c /* , */) {
      const top = open.at(-1);
      if (top?.keys) top.key = true;
    }
  }
}
