import type { Actor } from '../actor.ts';
import type { IncidentEvent, Recorded } from '../incident/incident.ts';
import type { Hop, Severity } from '../policy.ts';

/**
 * Every hop of an incident's relay as it happened, from its events alone: when each hop
 * started, its first deadline, when and by whom it ended, its escalations. A hop can run
 * more than once (a returned report goes back to the member, then to the secretariat).
 */

/** One run of one hop. */
export interface HopEpisode {
  readonly incidentId: string;
  readonly severity: Severity;
  readonly hop: Hop;
  readonly startedAt: string;
  /** The deadline the hop started with. */
  readonly dueAt: string;
  doneAt: string | null;
  doneBy: string | null;
  escalations: { at: string; missedDueAt: string; nextDueAt: string }[];
}

/** Whether a hop met its first deadline: `met`, `missed`, or `open` while it is still running on time. */
export function outcome(episode: HopEpisode, now: string): 'met' | 'missed' | 'open' {
  if (episode.doneAt !== null) return episode.doneAt <= episode.dueAt ? 'met' : 'missed';
  return now <= episode.dueAt ? 'open' : 'missed';
}

/** Milliseconds the hop took (or has taken by `now`). */
export const durationMs = (episode: HopEpisode, now: string): number =>
  Date.parse(episode.doneAt ?? now) - Date.parse(episode.startedAt);

const who = (actor: Actor) => actor.sub;

/** Derives the hop episodes of one incident stream, oldest first. Pure. */
export function hopEpisodes(events: readonly Recorded<IncidentEvent>[]): HopEpisode[] {
  const episodes: HopEpisode[] = [];
  const open = new Map<Hop, HopEpisode>();
  let incidentId = '';
  let severity: Severity = 'medium';
  const start = (hop: Hop, at: string, dueAt: string) => {
    const episode: HopEpisode = {
      incidentId,
      severity,
      hop,
      startedAt: at,
      dueAt,
      doneAt: null,
      doneBy: null,
      escalations: [],
    };
    episodes.push(episode);
    open.set(hop, episode);
  };
  const end = (hop: Hop, e: Recorded<IncidentEvent>) => {
    const episode = open.get(hop);
    if (!episode) return;
    episode.doneAt = e.recordedAt;
    episode.doneBy = who(e.actor);
    open.delete(hop);
  };
  for (const e of events) {
    switch (e.type) {
      case 'IncidentReported':
        incidentId = e.data.incidentId;
        severity = e.data.report.severity;
        start('secretariat', e.recordedAt, e.data.secretariatDueAt);
        break;
      case 'FollowUpAdded':
        if (e.data.resubmitted && e.data.secretariatDueAt) {
          end('member', e);
          start('secretariat', e.recordedAt, e.data.secretariatDueAt);
        }
        break;
      case 'RelayApproved':
        end('secretariat', e);
        start('ministry', e.recordedAt, e.data.ministryDueAt);
        break;
      case 'RelayReturned':
        end('secretariat', e);
        start('member', e.recordedAt, e.data.memberDueAt);
        break;
      case 'ReceiptAcknowledged':
        end(e.data.hop, e);
        if (e.data.hop === 'ministry') start('nisc', e.recordedAt, e.data.niscDueAt ?? e.recordedAt);
        break;
      case 'HopDeadlineMissed':
        open.get(e.data.hop)?.escalations.push({
          at: e.recordedAt,
          missedDueAt: e.data.missedDueAt,
          nextDueAt: e.data.nextDueAt,
        });
        break;
      case 'IncidentClosed':
      case 'RelayWaitStarted':
      case 'RelayStalled':
      case 'StageWaitStarted':
      case 'StageReminderDue':
      case 'StageEscalated':
      case 'NotificationDelivered':
      case 'NotificationFailed':
      case 'NotificationAttemptFailed':
        break;
      default: {
        const _never: never = e;
        return _never;
      }
    }
  }
  return episodes;
}
