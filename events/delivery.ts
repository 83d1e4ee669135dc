import type { Channel } from './incident/incident.ts';

/** What a delivery attempt came to: the provider's message id, or why it failed. */
export type DeliveryOutcome = { ok: true; messageId: string } | { ok: false; reason: string };

/** The command data that records one message's delivery attempt on a stream. */
export interface DeliveryRecord<P extends string> {
  key: string;
  purpose: P;
  channel: Channel;
  to: string;
  outcome: DeliveryOutcome;
}

/**
 * The event that records a delivery attempt, or none when the stream already holds one for
 * this message's key (a redelivered queue message records nothing twice).
 */
export function decideDelivery<P extends string>(
  recorded: readonly { readonly key: string }[],
  record: DeliveryRecord<P>,
):
  | []
  | [
      {
        type: 'NotificationDelivered';
        data: { key: string; purpose: P; channel: Channel; to: string; messageId: string };
      },
    ]
  | [
      {
        type: 'NotificationFailed';
        data: { key: string; purpose: P; channel: Channel; to: string; reason: string };
      },
    ] {
  const { key, purpose, channel, to, outcome } = record;
  if (recorded.some((d) => d.key === key)) return [];
  return outcome.ok
    ? [{ type: 'NotificationDelivered', data: { key, purpose, channel, to, messageId: outcome.messageId } }]
    : [{ type: 'NotificationFailed', data: { key, purpose, channel, to, reason: outcome.reason } }];
}
