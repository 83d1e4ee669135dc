import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { jsonlLog } from './jsonl.ts';

/** One text message the system sent. */
export interface Sms {
  readonly messageId: string;
  readonly to: string;
  readonly text: string;
  readonly at: string;
}

/**
 * SNS in front of fauxqs: fauxqs has no SMS, so `Publish` with a `PhoneNumber` is caught
 * here and kept in `<dataDir>/sms.jsonl`; every other SNS call passes through unchanged.
 * Handlers keep using the real SNS client; only AWS_ENDPOINT_URL_SNS points here.
 */
export async function startSmsGateway(options: { upstream: string; dataDir: string; port?: number }) {
  mkdirSync(options.dataDir, { recursive: true });
  const log = jsonlLog<Sms>(join(options.dataDir, 'sms.jsonl'));
  const upstream = new URL(options.upstream);
  let refusing = false;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (refusing) {
        // What SNS answers when it is unavailable; the SDK retries, then the caller's own retry takes over.
        res.writeHead(503, { 'content-type': 'text/xml' });
        res.end(
          `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code><Message>the local SNS endpoint is refusing requests (fault injection)</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
        );
        return;
      }
      const form = new URLSearchParams(body.toString('utf8'));
      const phone = form.get('PhoneNumber');
      if (req.method === 'POST' && form.get('Action') === 'Publish' && phone) {
        const sms: Sms = {
          messageId: randomUUID(),
          to: phone,
          text: form.get('Message') ?? '',
          at: new Date().toISOString(),
        };
        log.append(sms);
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(
          `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${sms.messageId}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
        );
        return;
      }
      const forward = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          path: req.url,
          method: req.method,
          headers: req.headers,
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      forward.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    /**
     * While on, every SNS call (topic publishes and SMS alike) is answered 503 ServiceUnavailable and
     * nothing is sent: the soak's delivery outage (bench/soak.ts).
     */
    refuse(on: boolean): void {
      refusing = on;
    },
    /** Every SMS sent so far, oldest first (kept across restarts). */
    messages: (): Sms[] => log.read(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
