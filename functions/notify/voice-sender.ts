import {
  ConflictException,
  PinpointSMSVoiceV2Client,
  ResourceNotFoundException,
  SendVoiceMessageCommand,
  ValidationException,
  type VoiceId,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import type { Sender } from './senders.ts';

// The deliverer's phone calls, a module of their own: calls are rare (an escalation or a stall on a missed
// deadline, a critical incident's or advisory's request to act: events/incident/notifications.ts, chainCalls in
// events/advisory/advisory.ts), and End User Messaging's client is loaded with the first
// (functions/runtime/lazy-module.ts).

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

/** The deliverer's calls: End User Messaging's client, from the deployment's origination identity (if any). */
export const deploymentVoiceSender = (originationIdentity: string | undefined): Sender =>
  voiceSender(new PinpointSMSVoiceV2Client({}), originationIdentity);
