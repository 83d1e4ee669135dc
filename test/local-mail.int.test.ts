import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { createTransport } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRejectedAddress, type MailCatcher, startMailCatcher } from '../local/mail.ts';

let dataDir: string;
let catcher: MailCatcher;
let ses: SESv2Client;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'ceptoar-mail-'));
  catcher = await startMailCatcher({ dataDir });
  // Exactly how deliver-notification builds its client, with AWS_ENDPOINT_URL_SESV2 set.
  ses = new SESv2Client({
    endpoint: catcher.sesEndpoint,
    region: 'ap-northeast-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  ses.destroy();
  await catcher.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** RFC 2047 encoded word, as the sender must write a non-ASCII display name for SES. */
const encodedWord = (text: string) => `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;

describe('local SES v2 endpoint and SMTP catcher', () => {
  it('relays Content.Simple with Japanese subject, text and HTML unchanged', async () => {
    const subject =
      '【第1報】化学セクター：制御系ネットワークにおける不審な通信の検知について（至急ご確認ください）①';
    const text =
      'CEPTOAR 会員各位\n\nお疲れ様です。事務局より第1報をお送りします。\n' +
      '件名の「①」や絵文字🙂、半角ｶﾅも含みます。\n\n確認: https://relay.local/incidents/0f1e?ack=1\n';
    const html = '<p>会員各位</p><p>第1報です。<a href="https://relay.local/incidents/0f1e">詳細</a></p>';
    const started = performance.now();
    const out = await ses.send(
      new SendEmailCommand({
        FromEmailAddress: `${encodedWord('CEPTOAR 事務局')} <noreply@ceptoar.local>`,
        Destination: {
          ToAddresses: ['tanto@member-a.local'],
          CcAddresses: ['cc@member-a.local'],
          BccAddresses: ['audit@ceptoar.local'],
        },
        ReplyToAddresses: ['secretariat@ceptoar.local'],
        Content: {
          Simple: {
            Subject: { Data: subject, Charset: 'UTF-8' },
            Body: { Text: { Data: text, Charset: 'UTF-8' }, Html: { Data: html, Charset: 'UTF-8' } },
            Headers: [{ Name: 'X-Ceptoar-Incident', Value: '0f1e' }],
          },
        },
      }),
    );
    const elapsed = performance.now() - started;
    expect(out.MessageId).toMatch(/^[0-9a-f]+-[0-9a-f-]{36}-000000$/);

    // SendEmail returns only after the catcher stored the mail.
    const mail = catcher.messages().find((m) => m.sesMessageId === out.MessageId);
    expect(mail).toBeDefined();
    expect(mail).toMatchObject({
      from: '"CEPTOAR 事務局" <noreply@ceptoar.local>',
      to: ['tanto@member-a.local'],
      cc: ['cc@member-a.local'],
      replyTo: ['secretariat@ceptoar.local'],
      envelope: {
        from: 'noreply@ceptoar.local',
        to: ['tanto@member-a.local', 'cc@member-a.local', 'audit@ceptoar.local'],
      },
      subject,
      html,
      messageId: `<${out.MessageId}@ap-northeast-1.amazonses.com>`,
    });
    expect(mail?.text).toBe(text);
    expect(Date.parse(mail?.date ?? '')).toBeGreaterThan(Date.now() - 60_000);

    // On disk too: the JSON record and the raw message; Bcc is not in the headers.
    const stored = JSON.parse(await readFile(mail?.file ?? '', 'utf8'));
    expect(stored.subject).toBe(subject);
    const raw = await readFile((mail?.file ?? '').replace(/\.json$/, '.eml'), 'utf8');
    expect(raw).toMatch(/^Subject: =\?UTF-8\?[BQ]\?/m);
    expect(raw).toMatch(/^X-Ceptoar-Incident: 0f1e/m);
    expect(raw).not.toContain('audit@ceptoar.local');
    console.info(`SendEmail → stored in ${elapsed.toFixed(1)} ms`);
  });

  it('relays Content.Raw, taking recipients from the headers when Destination is absent', async () => {
    const subject = '続報：影響範囲の特定（第2報）';
    const mime = [
      'From: noreply@ceptoar.local',
      'To: member-b@member-b.local',
      `Subject: ${encodedWord(subject)}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=UTF-8',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('第2報本文です。\n', 'utf8').toString('base64'),
      '',
    ].join('\r\n');
    const out = await ses.send(
      new SendEmailCommand({ Content: { Raw: { Data: Buffer.from(mime, 'utf8') } } }),
    );
    const mail = await catcher.waitFor((m) => m.sesMessageId === out.MessageId, 2000);
    expect(mail.subject).toBe(subject);
    expect(mail.text.trim()).toBe('第2報本文です。');
    expect(mail.envelope).toEqual({ from: 'noreply@ceptoar.local', to: ['member-b@member-b.local'] });
  });

  it('carries attachments of Content.Simple', async () => {
    await ses.send(
      new SendEmailCommand({
        FromEmailAddress: 'noreply@ceptoar.local',
        Destination: { ToAddresses: ['att@member-c.local'] },
        Content: {
          Simple: {
            Subject: { Data: '添付あり' },
            Body: { Text: { Data: '報告書を添付します。' } },
            Attachments: [
              { FileName: 'report.csv', ContentType: 'text/csv', RawContent: Buffer.from('a,b\n1,2\n') },
            ],
          },
        },
      }),
    );
    const mail = await catcher.waitFor((m) => m.envelope.to.includes('att@member-c.local'), 2000);
    expect(mail.attachments).toEqual([{ filename: 'report.csv', contentType: 'text/csv', size: 8 }]);
  });

  it('answers MessageRejected (400) for the simulator bounce addresses, sending nothing', async () => {
    expect(isRejectedAddress('bounce@simulator.local')).toBe(true);
    expect(isRejectedAddress('Anyone@Bounce.Invalid')).toBe(true);
    expect(isRejectedAddress('ok@member.local')).toBe(false);
    const before = catcher.messages().length;
    for (const to of ['bounce@simulator.local', 'someone@bounce.invalid']) {
      await expect(
        ses.send(
          new SendEmailCommand({
            FromEmailAddress: 'noreply@ceptoar.local',
            Destination: { ToAddresses: ['fine@member.local', to] },
            Content: { Simple: { Subject: { Data: '不達' }, Body: { Text: { Data: '本文' } } } },
          }),
        ),
      ).rejects.toMatchObject({
        name: 'MessageRejected',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      });
    }
    expect(catcher.messages().length).toBe(before);
  });

  it('rejects what SES rejects: missing sender, no recipients, raw UTF-8 display names', async () => {
    const simple = { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } } };
    await expect(
      ses.send(new SendEmailCommand({ Destination: { ToAddresses: ['a@b.local'] }, Content: simple })),
    ).rejects.toMatchObject({ name: 'BadRequestException' });
    await expect(
      ses.send(new SendEmailCommand({ FromEmailAddress: 'a@b.local', Destination: {}, Content: simple })),
    ).rejects.toMatchObject({ name: 'BadRequestException' });
    await expect(
      ses.send(
        new SendEmailCommand({
          FromEmailAddress: 'CEPTOAR 事務局 <noreply@ceptoar.local>',
          Destination: { ToAddresses: ['a@b.local'] },
          Content: simple,
        }),
      ),
    ).rejects.toMatchObject({
      name: 'BadRequestException',
      message: expect.stringMatching(/Illegal address/),
    });
  });

  it('catches mail sent straight to its SMTP port and times out waitFor clearly', async () => {
    const transport = createTransport({ host: '127.0.0.1', port: catcher.smtpPort, ignoreTLS: true });
    await transport.sendMail({
      from: 'direct@ceptoar.local',
      to: 'x@member.local',
      subject: '直接送信',
      text: 'SMTP 直送',
    });
    transport.close();
    const mail = await catcher.waitFor((m) => m.subject === '直接送信', 2000);
    expect(mail.sesMessageId).toBeUndefined();
    expect(mail.text.trim()).toBe('SMTP 直送');
    await expect(catcher.waitFor((m) => m.subject === 'never', 100)).rejects.toThrow(
      /no matching mail within 100 ms/,
    );

    const files = await readdir(catcher.mailDir);
    expect(files.filter((f) => f.endsWith('.json'))).toHaveLength(catcher.messages().length);
  });

  it('answers unknown operations with an error instead of hanging', async () => {
    const response = await fetch(`${catcher.sesEndpoint}/v2/email/identities`);
    expect(response.status).toBe(404);
    expect(response.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
  });
});
