import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { jsonlLog } from './jsonl.ts';

/** One phone call the system placed: what it would have read, as SSML and as plain text. */
export interface VoiceCall {
  readonly messageId: string;
  readonly to: string;
  /** The origination identity the call came from. */
  readonly from: string;
  readonly voiceId: string | null;
  /** The SSML's `xml:lang` (`ja-JP`, `en-US`), if it names one. */
  readonly language: string | null;
  /** The message body as sent when it was SSML; null for a plain-text call. */
  readonly ssml: string | null;
  /** What a listener hears: the SSML's text without its markup. */
  readonly text: string;
  readonly at: string;
}

const TARGET = 'PinpointSMSVoiceV2.SendVoiceMessage';
const E164 = /^\+[1-9]\d{6,14}$/;
/** The service's limits on MessageBody, by MessageBodyTextType. */
const MAX_BODY = { SSML: 6000, TEXT: 3000 } as const;

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** The words of an SSML document as a listener hears them: tags gone, entities decoded, spaces collapsed. */
export function ssmlText(ssml: string): string {
  return ssml
    .replace(/<break\b[^>]*>|<\/s>|<\/p>/g, ' ')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
      if (name.startsWith('#x') || name.startsWith('#X'))
        return String.fromCodePoint(parseInt(name.slice(2), 16));
      if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
      return ENTITIES[name] ?? whole;
    })
    .replace(/\s+/g, ' ')
    .trim();
}

/** An error as the awsJson1_0 protocol gives it, which the SDK turns into its exception class. */
function awsError(res: ServerResponse, type: string, message: string, extra: Record<string, unknown> = {}) {
  res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': type });
  res.end(JSON.stringify({ __type: `com.amazonaws.pinpointsmsvoicev2#${type}`, message, ...extra }));
}

/**
 * End User Messaging SMS and Voice v2 as far as this system uses it: `SendVoiceMessage` answers as
 * AWS would (a MessageId, or a ValidationException for what AWS refuses), and each call is kept in
 * `<dataDir>/voice.jsonl` instead of being placed. Handlers keep using the real client; only
 * AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2 points here.
 */
export async function startVoiceCatcher(options: { dataDir: string; port?: number }) {
  mkdirSync(options.dataDir, { recursive: true });
  const log = jsonlLog<VoiceCall>(join(options.dataDir, 'voice.jsonl'));
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = req.headers['x-amz-target'];
      if (req.method !== 'POST' || target !== TARGET) {
        return awsError(res, 'UnknownOperationException', `the local voice catcher answers only ${TARGET}`);
      }
      let input: Record<string, unknown>;
      try {
        input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        return awsError(res, 'SerializationException', 'the request body is not JSON');
      }
      const to = input.DestinationPhoneNumber;
      const from = input.OriginationIdentity;
      const body = input.MessageBody;
      const type = input.MessageBodyTextType === 'SSML' ? 'SSML' : 'TEXT';
      const invalid = (name: string, message: string) =>
        awsError(res, 'ValidationException', `${name}: ${message}`, {
          Reason: 'FIELD_VALIDATION_FAILED',
          Fields: [{ Name: name, Message: message }],
        });
      if (typeof to !== 'string' || !E164.test(to))
        return invalid('DestinationPhoneNumber', 'must be a phone number in E.164 format');
      if (typeof from !== 'string' || from === '')
        return invalid('OriginationIdentity', 'must name a phone number or pool');
      if (typeof body !== 'string' || body === '' || body.length > MAX_BODY[type])
        return invalid('MessageBody', `must be 1 to ${MAX_BODY[type]} characters of ${type}`);
      if (type === 'SSML' && !/^<speak[\s>][\s\S]*<\/speak>$/.test(body))
        return invalid('MessageBody', 'SSML must be one <speak> element');
      const call: VoiceCall = {
        messageId: randomUUID(),
        to,
        from,
        voiceId: typeof input.VoiceId === 'string' ? input.VoiceId : null,
        language: type === 'SSML' ? (/xml:lang="([^"]+)"/.exec(body)?.[1] ?? null) : null,
        ssml: type === 'SSML' ? body : null,
        text: type === 'SSML' ? ssmlText(body) : body,
        at: new Date().toISOString(),
      };
      log.append(call);
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ MessageId: call.messageId }));
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    /** Every call placed so far, oldest first (kept across restarts). */
    calls: (): VoiceCall[] => log.read(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
