import {
  ConflictException,
  type PinpointSMSVoiceV2Client,
  ResourceNotFoundException,
  SendVoiceMessageCommand,
  ValidationException,
  type VoiceId,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { MessageRejected, type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { OutboundNotification } from './notifier.ts';

/** A delivery's outcome. A transient failure is thrown instead, so the queue retries it. */
export type Outcome = { ok: true; messageId: string } | { ok: false; reason: string };

/** Sends one message on its channel. */
export type Sender = (message: OutboundNotification) => Promise<Outcome>;

/** E-mail through SES v2; a rejected message is a permanent failure. */
export const emailSender =
  (client: SESv2Client, from: string): Sender =>
  async (m) => {
    try {
      const result = await client.send(
        new SendEmailCommand({
          FromEmailAddress: from,
          Destination: { ToAddresses: [m.to] },
          Content: {
            Simple: {
              Subject: { Data: m.subject, Charset: 'UTF-8' },
              Body: { Text: { Data: m.body, Charset: 'UTF-8' } },
            },
          },
        }),
      );
      return { ok: true, messageId: result.MessageId ?? 'unknown' };
    } catch (error) {
      if (error instanceof MessageRejected) return { ok: false, reason: `rejected: ${error.message}` };
      throw error;
    }
  };

/** SMS through SNS's direct publish to a phone number, as a transactional message. */
export const smsSender =
  (client: SNSClient): Sender =>
  async (m) => {
    const result = await client.send(
      new PublishCommand({
        PhoneNumber: m.to,
        Message: m.body,
        MessageAttributes: { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' } },
      }),
    );
    return { ok: true, messageId: result.MessageId ?? 'unknown' };
  };

/** The Polly voice of each language (a standard voice: End User Messaging's calls use those). */
export const CALL_VOICE: Readonly<Record<'ja' | 'en', VoiceId>> = { ja: 'MIZUKI', en: 'JOANNA' };

/**
 * A phone call that reads the message's SSML (End User Messaging SMS and Voice v2, `SendVoiceMessage`)
 * in the contact's language, from the deployment's origination identity (a phone number or pool).
 * What cannot be sent as asked (a bad number, an opted-out one, an unknown identity, none configured)
 * is a permanent failure, recorded; anything else is thrown and the queue retries it.
 */
export const voiceSender =
  (client: PinpointSMSVoiceV2Client, originationIdentity: string | undefined): Sender =>
  async (m) => {
    if (!originationIdentity)
      return {
        ok: false,
        reason: 'no voice origination identity is configured (CDK context voiceOriginationIdentity)',
      };
    try {
      const result = await client.send(
        new SendVoiceMessageCommand({
          DestinationPhoneNumber: m.to,
          OriginationIdentity: originationIdentity,
          MessageBody: m.body,
          MessageBodyTextType: 'SSML',
          VoiceId: CALL_VOICE[m.lang ?? 'ja'],
          // The call is for now: one that cannot be placed within the hour is no use to a deadline.
          TimeToLive: 3600,
          Context: { key: m.key, purpose: m.purpose },
        }),
      );
      return { ok: true, messageId: result.MessageId ?? 'unknown' };
    } catch (error) {
      if (
        error instanceof ValidationException ||
        error instanceof ConflictException ||
        error instanceof ResourceNotFoundException
      )
        return { ok: false, reason: `${error.name}: ${error.message}` };
      throw error;
    }
  };

/**
 * HTTPS webhook: a 2xx is delivered, a 3xx or 4xx is a permanent failure, anything else is retried.
 * Redirects are not followed: the directory's https address is the only one a message goes to, never
 * an http:// or internal address a compromised receiver points it at (docs/SECURITY.md, API7).
 * The answer's body is never read.
 */
export const webhookSender =
  (timeoutMs = 5000): Sender =>
  async (m) => {
    const response = await fetch(m.to, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': m.key },
      body: JSON.stringify({ purpose: m.purpose, subject: m.subject, text: m.body }),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    });
    await response.body?.cancel();
    if (response.ok) return { ok: true, messageId: `http-${response.status}` };
    if (response.status >= 300 && response.status < 400)
      return { ok: false, reason: `HTTP ${response.status}: a webhook must answer, not redirect` };
    if (response.status >= 400 && response.status < 500)
      return { ok: false, reason: `HTTP ${response.status}` };
    throw new Error(`webhook answered HTTP ${response.status}`);
  };
