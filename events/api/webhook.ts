import { advisoryPurposes } from '../advisory/advisory.ts';
import * as z from '../zod.ts';
import { notificationPurposes } from './incident.ts';

/** Why a webhook is sent: an incident relay's message or an advisory's. */
export const webhookTypes = [...notificationPurposes, ...advisoryPurposes] as const;

/** The JSON body of every webhook delivery (functions/notify/senders.ts, webhookPayload). */
export const webhookPayloadSchema = z.object({
  type: z.enum(webhookTypes),
  data: z.object({
    subject: z.string(),
    text: z.string(),
  }),
});

/** The Standard Webhooks headers of a delivery. */
export const webhookHeadersSchema = z.object({
  'webhook-id': z.string().check(z.regex(/^msg_[A-Za-z0-9_-]{32}$/)),
  'webhook-timestamp': z.string().check(z.regex(/^\d+$/)),
  'webhook-signature': z.string().check(z.regex(/^v1,[A-Za-z0-9+/]{43}=( v1,[A-Za-z0-9+/]{43}=)*$/)),
});
