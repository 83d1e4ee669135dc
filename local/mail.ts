import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { join } from 'node:path';
import { type AddressObject, type ParsedMail, simpleParser } from 'mailparser';
import { createTransport, type Transporter } from 'nodemailer';
import type Mail_ from 'nodemailer/lib/mailer/index.js';
import { SMTPServer } from 'smtp-server';
import type { LocalLog } from './dynamodb.ts';

// The local e-mail path: deliver-notification's SESv2 client points AWS_ENDPOINT_URL_SESV2 at a
// small HTTP server speaking SES v2 SendEmail (REST-JSON), which relays each message over SMTP
// (nodemailer) to an embedded SMTP catcher that keeps every message in memory and on disk.

/** One e-mail received by the catcher, as stored in `<dataDir>/mail/<id>.json`. */
export interface Mail {
  readonly id: string;
  /** The MessageId SendEmail answered (absent for mail that reached the SMTP port directly). */
  readonly sesMessageId?: string;
  /** The Message-ID header. */
  readonly messageId: string;
  /** The decoded From header, e.g. `CEPTOAR 事務局 <noreply@ceptoar.local>`. */
  readonly from: string;
  /** Addresses in the To header. */
  readonly to: string[];
  readonly cc: string[];
  readonly replyTo: string[];
  /** SMTP envelope (MAIL FROM / RCPT TO): the real recipients, Bcc included. */
  readonly envelope: { readonly from: string; readonly to: string[] };
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
  /** The Date header (ISO 8601). */
  readonly date: string;
  readonly attachments: { readonly filename?: string; readonly contentType: string; readonly size: number }[];
  /** Path of the JSON file (a `.eml` with the raw message sits next to it). */
  readonly file: string;
}

/** Options of {@link startMailCatcher}. */
export interface MailCatcherOptions {
  /** Mail is written under `<dataDir>/mail/`. */
  readonly dataDir: string;
  /** SMTP port on 127.0.0.1; a free one when omitted. */
  readonly smtpPort?: number;
  /** SES v2 API port on 127.0.0.1; a free one when omitted. */
  readonly apiPort?: number;
  /** Region used in generated Message-IDs; default ap-northeast-1. */
  readonly region?: string;
  readonly log?: LocalLog;
}

/** The running SES endpoint and SMTP catcher. */
export interface MailCatcher {
  /** `http://127.0.0.1:<apiPort>`, for `AWS_ENDPOINT_URL_SESV2`. */
  readonly sesEndpoint: string;
  readonly smtpPort: number;
  /** Directory the mail files are written to. */
  readonly mailDir: string;
  /** Every message received since start, oldest first. */
  messages(): Mail[];
  /** The first message (already received or arriving later) matching predicate; rejects after timeoutMs. */
  waitFor(predicate: (mail: Mail) => boolean, timeoutMs?: number): Promise<Mail>;
  /** While on, SendEmail answers 503 and nothing is sent: the soak's delivery outage (bench/soak.ts). */
  refuse(on: boolean): void;
  /** Stops both servers. Idempotent. */
  stop(): Promise<void>;
}

/** Addresses SendEmail rejects with MessageRejected, to exercise the delivery-failure path. */
export function isRejectedAddress(address: string): boolean {
  const normalized = address.trim().toLowerCase();
  return normalized === 'bounce@simulator.local' || normalized.endsWith('@bounce.invalid');
}

const silent: LocalLog = { info: () => {}, warn: () => {} };
const SES_ID_HEADER = 'X-Local-SES-Message-Id';

/** Starts the SES v2 endpoint and the SMTP catcher it relays to. */
export async function startMailCatcher(options: MailCatcherOptions): Promise<MailCatcher> {
  const log = options.log ?? silent;
  const region = options.region ?? 'ap-northeast-1';
  const mailDir = join(options.dataDir, 'mail');
  await mkdir(mailDir, { recursive: true });

  const received: Mail[] = [];
  const waiters = new Set<{ predicate: (mail: Mail) => boolean; resolve: (mail: Mail) => void }>();

  async function store(raw: Buffer, envelope: Mail['envelope']): Promise<Mail> {
    const parsed = await simpleParser(raw);
    const now = new Date();
    const id = `${now.toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}`;
    const file = join(mailDir, `${id}.json`);
    const sesId = parsed.headers.get(SES_ID_HEADER.toLowerCase());
    const mail: Mail = {
      id,
      ...(typeof sesId === 'string' ? { sesMessageId: sesId } : {}),
      messageId: parsed.messageId ?? '',
      from: parsed.from?.text ?? '',
      to: addresses(parsed.to),
      cc: addresses(parsed.cc),
      replyTo: addresses(parsed.replyTo),
      envelope,
      subject: parsed.subject ?? '',
      text: parsed.text ?? '',
      ...(typeof parsed.html === 'string' ? { html: parsed.html } : {}),
      date: (parsed.date ?? now).toISOString(),
      attachments: attachmentsOf(parsed),
      file,
    };
    await writeFile(join(mailDir, `${id}.eml`), raw);
    await writeFile(file, `${JSON.stringify(mail, null, 2)}\n`);
    received.push(mail);
    for (const waiter of waiters) {
      if (waiter.predicate(mail)) {
        waiters.delete(waiter);
        waiter.resolve(mail);
      }
    }
    // The log names the recipients' domains only: addresses stay in the mail files (docs/SECURITY.md).
    log.info(
      `mail: "${mail.subject}" to ${envelope.to.map((a) => a.replace(/^[^@]*/, '…')).join(', ')} (${file})`,
    );
    return mail;
  }

  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    closeTimeout: 2000,
    // Reverse DNS of 127.0.0.1 would cost every message ~150 ms for nothing.
    disableReverseLookup: true,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', () => {
        const envelope = {
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
        };
        // Store before acknowledging, so a successful SendEmail means the mail is already visible.
        store(Buffer.concat(chunks), envelope).then(
          () => callback(),
          (error: Error) => callback(error),
        );
      });
    },
  });
  await new Promise<void>((resolveListen, reject) => {
    smtp.once('error', reject);
    smtp.listen(options.smtpPort ?? 0, '127.0.0.1', () => {
      smtp.off('error', reject);
      resolveListen();
    });
  });
  smtp.on('error', (error) => log.warn(`SMTP catcher: ${error.message}`));
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  // Pooled: smtp-server holds every new connection ~100 ms (its early-talker check).
  const transport = createTransport({
    pool: true,
    maxConnections: 4,
    host: '127.0.0.1',
    port: smtpPort,
    secure: false,
    ignoreTLS: true,
    // Our own socket so Nagle can be switched off: each SMTP command waited ~40 ms on delayed ACKs.
    getSocket: (_options, callback) => {
      const socket = connect(smtpPort, '127.0.0.1', () => {
        socket.off('error', callback);
        socket.setNoDelay(true);
        callback(null, { connection: socket });
      });
      socket.once('error', callback);
    },
  });

  let refusing = false;
  const api = createServer((request, response) => {
    if (refusing) {
      sendError(
        response,
        503,
        'ServiceUnavailable',
        'the local SES endpoint is refusing requests (fault injection)',
      );
      return;
    }
    handleApi(request, response, { transport, region, log }).catch((error: unknown) => {
      log.warn(`SES endpoint: ${(error as Error)?.message}`);
      if (!response.headersSent) sendError(response, 500, 'InternalFailure', 'internal error');
    });
  });
  try {
    await new Promise<void>((resolveListen, reject) => {
      api.once('error', reject);
      api.listen(options.apiPort ?? 0, '127.0.0.1', () => {
        api.off('error', reject);
        resolveListen();
      });
    });
  } catch (error) {
    transport.close();
    await new Promise<void>((resolveClose) => smtp.close(() => resolveClose()));
    throw error;
  }
  const sesEndpoint = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  log.info(`SES v2 endpoint on ${sesEndpoint}, SMTP catcher on 127.0.0.1:${smtpPort}, mail in ${mailDir}`);

  let stopped: Promise<void> | undefined;
  return {
    sesEndpoint,
    smtpPort,
    mailDir,
    messages: () => [...received],
    refuse(on) {
      refusing = on;
    },
    waitFor(predicate, timeoutMs = 5000) {
      const found = received.find(predicate);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise<Mail>((resolveWait, reject) => {
        const waiter = {
          predicate,
          resolve: (mail: Mail) => {
            clearTimeout(timer);
            resolveWait(mail);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const subjects = received.map((mail) => `"${mail.subject}" → ${mail.envelope.to.join(',')}`);
          reject(new Error(`no matching mail within ${timeoutMs} ms; received: [${subjects.join('; ')}]`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    stop() {
      stopped ??= (async () => {
        transport.close();
        await closeHttp(api);
        await new Promise<void>((resolveClose) => smtp.close(() => resolveClose()));
      })();
      return stopped;
    },
  };
}

interface ApiContext {
  readonly transport: Transporter;
  readonly region: string;
  readonly log: LocalLog;
}

/** The subset of the SES v2 SendEmail request this endpoint honours (REST-JSON, base64 blobs). */
interface SendEmailRequest {
  FromEmailAddress?: string;
  Destination?: { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };
  ReplyToAddresses?: string[];
  Content?: {
    Simple?: {
      Subject?: { Data?: string; Charset?: string };
      Body?: { Text?: { Data?: string; Charset?: string }; Html?: { Data?: string; Charset?: string } };
      Headers?: { Name?: string; Value?: string }[];
      Attachments?: {
        RawContent?: string;
        FileName?: string;
        ContentType?: string;
        ContentDisposition?: string;
        ContentId?: string;
      }[];
    };
    Raw?: { Data?: string };
    Template?: unknown;
  };
}

async function handleApi(
  request: IncomingMessage,
  response: ServerResponse,
  context: ApiContext,
): Promise<void> {
  const path = (request.url ?? '/').split('?')[0];
  if (request.method !== 'POST' || path !== '/v2/email/outbound-emails') {
    sendError(response, 404, 'UnknownOperationException', `${request.method} ${path} is not served locally`);
    return;
  }
  let input: SendEmailRequest;
  try {
    input = JSON.parse((await readBody(request)).toString('utf8')) as SendEmailRequest;
  } catch {
    sendError(response, 400, 'BadRequestException', 'Request body is not valid JSON');
    return;
  }
  const content = input.Content;
  if (content === undefined || (content.Simple === undefined && content.Raw === undefined)) {
    const what =
      content?.Template === undefined
        ? 'Content (Simple or Raw) is required'
        : 'Template content is not supported locally';
    sendError(response, 400, 'BadRequestException', what);
    return;
  }

  const d = input.Destination;
  const everyAddress = [
    input.FromEmailAddress,
    ...(input.ReplyToAddresses ?? []),
    ...(d?.ToAddresses ?? []),
    ...(d?.CcAddresses ?? []),
    ...(d?.BccAddresses ?? []),
  ];
  const illegal = everyAddress.find((address) => address !== undefined && /[^ -~]/.test(address));
  if (illegal !== undefined) {
    // SES has no SMTPUTF8: a non-ASCII display name must be an RFC 2047 encoded word, and
    // addresses themselves ASCII (punycode domains). Failing here catches it before AWS does.
    sendError(
      response,
      400,
      'BadRequestException',
      `Illegal address (non-ASCII, use RFC 2047 encoded words): ${illegal}`,
    );
    return;
  }

  const sesMessageId = `010601${Date.now().toString(16)}-${randomUUID()}-000000`;
  let message: Mail_.Options;
  let recipients: string[];
  let from: string;
  if (content.Simple !== undefined) {
    const simple = content.Simple;
    from = input.FromEmailAddress ?? '';
    recipients = destinationsOf(input);
    if (from === '') return sendError(response, 400, 'BadRequestException', 'FromEmailAddress is required');
    if (simple.Subject?.Data === undefined)
      return sendError(response, 400, 'BadRequestException', 'Subject is required');
    if (simple.Body?.Text === undefined && simple.Body?.Html === undefined) {
      return sendError(response, 400, 'BadRequestException', 'Body must contain Text or Html');
    }
    message = {
      from,
      to: input.Destination?.ToAddresses,
      cc: input.Destination?.CcAddresses,
      replyTo: input.ReplyToAddresses,
      subject: simple.Subject.Data,
      ...(simple.Body?.Text?.Data === undefined ? {} : { text: simple.Body.Text.Data }),
      ...(simple.Body?.Html?.Data === undefined ? {} : { html: simple.Body.Html.Data }),
      // SES stamps its own Message-ID; mirror its shape.
      messageId: `<${sesMessageId}@${context.region}.amazonses.com>`,
      headers: [
        ...(simple.Headers ?? []).map((h) => ({ key: h.Name ?? '', value: h.Value ?? '' })),
        { key: SES_ID_HEADER, value: sesMessageId },
      ],
      attachments: (simple.Attachments ?? []).map((a) => ({
        filename: a.FileName,
        content: Buffer.from(a.RawContent ?? '', 'base64'),
        contentType: a.ContentType,
        contentDisposition: a.ContentDisposition === 'INLINE' ? 'inline' : 'attachment',
        ...(a.ContentId === undefined ? {} : { cid: a.ContentId }),
      })),
      envelope: { from: addressOnly(from), to: recipients },
    };
  } else {
    const raw = Buffer.from(content.Raw?.Data ?? '', 'base64');
    if (raw.length === 0) return sendError(response, 400, 'BadRequestException', 'Raw.Data is empty');
    const parsed = await simpleParser(raw);
    from = input.FromEmailAddress ?? parsed.from?.value[0]?.address ?? '';
    recipients = destinationsOf(input);
    if (recipients.length === 0) {
      // As SES does for raw mail without Destination: the recipients come from the headers.
      recipients = [...addresses(parsed.to), ...addresses(parsed.cc), ...addresses(parsed.bcc)];
    }
    if (from === '')
      return sendError(
        response,
        400,
        'BadRequestException',
        'No sender: set FromEmailAddress or a From header',
      );
    message = {
      raw: Buffer.concat([Buffer.from(`${SES_ID_HEADER}: ${sesMessageId}\r\n`), raw]),
      envelope: { from: addressOnly(from), to: recipients },
    };
  }
  if (recipients.length === 0) {
    sendError(response, 400, 'BadRequestException', 'Missing final @domain: no recipients');
    return;
  }
  const rejected = recipients.filter(isRejectedAddress);
  if (rejected.length > 0) {
    // What SES answers for a message it will not send (e.g. unverified or suppressed recipient).
    sendError(
      response,
      400,
      'MessageRejected',
      `Email address is not verified or is suppressed: ${rejected.join(', ')}`,
    );
    return;
  }
  try {
    await context.transport.sendMail(message);
  } catch (error) {
    context.log.warn(`SES endpoint: SMTP relay failed: ${(error as Error).message}`);
    sendError(response, 500, 'InternalFailure', 'The local SMTP relay failed');
    return;
  }
  response.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID() });
  response.end(JSON.stringify({ MessageId: sesMessageId }));
}

function destinationsOf(input: SendEmailRequest): string[] {
  const d = input.Destination;
  return [...(d?.ToAddresses ?? []), ...(d?.CcAddresses ?? []), ...(d?.BccAddresses ?? [])].map(addressOnly);
}

/** `Name <a@b>` → `a@b`. */
function addressOnly(address: string): string {
  const match = /<([^>]+)>\s*$/.exec(address);
  return (match?.[1] ?? address).trim();
}

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  if (field === undefined) return [];
  return (Array.isArray(field) ? field : [field])
    .flatMap((object) => object.value)
    .flatMap((entry) =>
      entry.group === undefined ? [entry.address ?? ''] : entry.group.map((g) => g.address ?? ''),
    )
    .filter((address) => address !== '');
}

function attachmentsOf(parsed: ParsedMail): Mail['attachments'] {
  return parsed.attachments.map((a) => ({
    ...(a.filename === undefined ? {} : { filename: a.filename }),
    contentType: a.contentType,
    size: a.size,
  }));
}

function sendError(response: ServerResponse, status: number, type: string, message: string): void {
  // REST-JSON errors: the SDK reads the code from x-amzn-ErrorType and the text from `message`.
  response.writeHead(status, {
    'content-type': 'application/json',
    'x-amzn-errortype': type,
    'x-amzn-requestid': randomUUID(),
  });
  response.end(JSON.stringify({ message }));
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function closeHttp(server: Server): Promise<void> {
  return new Promise((resolveClose) => {
    server.close(() => resolveClose());
    server.closeAllConnections();
  });
}
