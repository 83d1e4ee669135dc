import type { MinutesEntry } from '../../events/activity/activity.ts';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../../events/errors.ts';
import { MAX_BODY_BYTES } from '../http/http.ts';

/** The largest minutes file: the API's body limit (the local server and the handlers read no more). */
export const MAX_MINUTES_BYTES = MAX_BODY_BYTES;

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** The types a minutes file is recorded as: what {@link sniffMinutes} tells by its bytes. */
export const MINUTES_TYPES = [
  'application/pdf',
  DOCX,
  'text/plain; charset=utf-8',
] as const satisfies readonly MinutesEntry['contentType'][];

/** A declared Content-Type that leaves the type to the bytes (besides none at all). */
export const ANY_BYTES = 'application/octet-stream';

/** The media types an upload may declare: each recorded type's, or {@link ANY_BYTES}. */
export const MINUTES_UPLOAD_TYPES = [...MINUTES_TYPES.map((t) => mediaTypeOf(t)), ANY_BYTES];

/** A Content-Type's media type, without parameters, in lower case. */
function mediaTypeOf(contentType: string): string {
  return contentType.split(';')[0]?.trim().toLowerCase() ?? '';
}

/**
 * The type of a minutes file by its bytes, whatever the caller says: PDF (`%PDF-`), DOCX (a ZIP
 * whose entries include `[Content_Types].xml` and `word/`), or plain UTF-8 text without control
 * characters; null for anything else.
 */
export function sniffMinutes(bytes: Buffer): MinutesEntry['contentType'] | null {
  if (bytes.length >= 5 && bytes.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (bytes.length >= 4 && bytes.readUInt32LE(0) === 0x04034b50) {
    // Entry names are stored uncompressed in the local headers: a Word document names both.
    const names = bytes.toString('latin1');
    return names.includes('[Content_Types].xml') && names.includes('word/') ? DOCX : null;
  }
  if (bytes.length === 0) return null;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters mark a binary file.
  return /[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text) ? null : 'text/plain; charset=utf-8';
}

/** The bytes of an uploaded body (base64 when binary, as API Gateway and the local server send it). */
export function uploadedBytes(body: string | undefined, base64: boolean): Buffer {
  const bytes = base64 ? Buffer.from(body ?? '', 'base64') : Buffer.from(body ?? '', 'utf8');
  if (bytes.length > MAX_MINUTES_BYTES)
    throw new PayloadTooLargeError(`minutes must be at most ${MAX_MINUTES_BYTES} bytes`);
  if (bytes.length === 0)
    throw new ValidationError('the body is empty: send the file itself', [
      { path: '(body)', message: 'empty' },
    ]);
  return bytes;
}

/** Checks the upload's type by its bytes; a type the caller declared must agree. */
export function minutesType(bytes: Buffer, declared: string | undefined): MinutesEntry['contentType'] {
  const sniffed = sniffMinutes(bytes);
  if (sniffed === null)
    throw new UnsupportedMediaTypeError('minutes must be a PDF, a Word document (DOCX) or plain UTF-8 text');
  const base = mediaTypeOf(declared ?? '');
  if (base !== '' && base !== ANY_BYTES && base !== mediaTypeOf(sniffed))
    throw new UnsupportedMediaTypeError(`the file is ${mediaTypeOf(sniffed)}, not ${base}`);
  return sniffed;
}

/** A safe file name for the record and the download: the caller's, cut to plain characters. */
export function minutesFilename(
  raw: string | undefined,
  type: MinutesEntry['contentType'],
  n: number,
): string {
  const ext = type === 'application/pdf' ? 'pdf' : type === DOCX ? 'docx' : 'txt';
  const cleaned = (raw ?? '')
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}._ -]/gu, '_')
    .replace(/^[.\s]+/, '')
    .slice(0, 120)
    .trim();
  return cleaned === '' ? `minutes-${n}.${ext}` : cleaned;
}
