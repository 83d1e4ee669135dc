import { durationMs, type HopEpisode, hopEpisodes, outcome } from '../events/audit/hops.ts';
import type { IncidentEvent, Recorded } from '../events/incident/incident.ts';
import type { Hop } from '../events/policy.ts';
import { auditFoldings, streamTypeOf } from '../functions/audit/audit-aggregates.ts';
import type { StoredEvent } from '../functions/store/event-store.ts';

export type Lang = 'ja' | 'en';

const HOP: Record<Lang, Record<Hop, string>> = {
  ja: { secretariat: '事務局', member: '構成員', ministry: '所管省庁（経済産業省）', nisc: 'NISC' },
  en: { secretariat: 'secretariat', member: 'member', ministry: 'ministry (METI)', nisc: 'NISC' },
};

const EVENT: Record<Lang, Record<string, string>> = {
  ja: {
    IncidentReported: 'IT障害の報告',
    FollowUpAdded: '続報',
    RelayApproved: '事務局が上位連絡を承認',
    RelayReturned: '事務局が差し戻し',
    ReceiptAcknowledged: '受領確認',
    IncidentClosed: '終結',
    RelayWaitStarted: '待機開始',
    HopDeadlineMissed: '期限超過・エスカレーション',
    RelayStalled: '連絡停止',
    StageWaitStarted: '報告期限の監視開始',
    StageReminderDue: '報告期限のリマインド',
    StageEscalated: '報告期限超過・エスカレーション',
    NotificationDelivered: '通知送達',
    NotificationFailed: '通知失敗',
    NotificationAttemptFailed: '通知の試行失敗（再送予定）',
  },
  en: {
    IncidentReported: 'IT incident reported',
    FollowUpAdded: 'follow-up report',
    RelayApproved: 'secretariat approved the relay',
    RelayReturned: 'secretariat returned the report',
    ReceiptAcknowledged: 'receipt acknowledged',
    IncidentClosed: 'closed',
    RelayWaitStarted: 'waiting started',
    HopDeadlineMissed: 'deadline missed, escalated',
    RelayStalled: 'relay stalled',
    StageWaitStarted: 'stage alarm watch started',
    StageReminderDue: 'stage reminder due',
    StageEscalated: 'stage overdue, escalated',
    NotificationDelivered: 'notification delivered',
    NotificationFailed: 'notification failed',
    NotificationAttemptFailed: 'notification attempt failed (retried)',
  },
};

const WORDS = {
  ja: {
    title: '経過',
    hops: '各段階の期限',
    due: '期限',
    done: '完了',
    met: '期限内',
    missed: '期限超過',
    open: '対応中',
    by: '実施者',
    escalations: 'エスカレーション',
    took: '所要',
    notDone: '未完了',
  },
  en: {
    title: 'Timeline',
    hops: 'Deadlines by hop',
    due: 'due',
    done: 'done',
    met: 'met',
    missed: 'MISSED',
    open: 'open',
    by: 'by',
    escalations: 'escalations',
    took: 'took',
    notDone: 'not done',
  },
} as const;

/** A time in Japan Standard Time, as an auditor in Tokyo reads it (`2026-11-26 10:40 JST`). */
export function jst(iso: string): string {
  const t = new Date(Date.parse(iso) + 9 * 3_600_000).toISOString();
  return `${t.slice(0, 10)} ${t.slice(11, 19)} JST`;
}

/** `1h 05m`, `3m 20s`. */
export function humanDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  return `${m}m ${String(s % 60).padStart(2, '0')}s`;
}

function actorText(actor: unknown): string {
  const a = actor as { kind?: string; sub?: string; role?: string; org?: string };
  if (a.kind === 'system') return a.sub ?? 'system';
  return [a.sub, a.role, a.org].filter(Boolean).join(' / ');
}

function detail(e: StoredEvent, lang: Lang): string {
  const d = e.data as Record<string, unknown>;
  switch (e.type) {
    case 'IncidentReported': {
      const r = d.report as { title?: string; severity?: string; tlp?: string } | undefined;
      return `${r?.title ?? ''} [${r?.severity ?? ''}, TLP:${r?.tlp ?? ''}]`;
    }
    case 'ReceiptAcknowledged':
      return HOP[lang][d.hop as Hop] ?? String(d.hop);
    case 'HopDeadlineMissed':
      return `${HOP[lang][d.hop as Hop] ?? String(d.hop)} #${String(d.escalation)} (${jst(String(d.missedDueAt))} → ${jst(String(d.nextDueAt))})`;
    case 'FollowUpAdded':
      return String(d.description ?? '').slice(0, 80);
    case 'NotificationDelivered':
    case 'NotificationFailed':
      return `${String(d.channel)} → ${String(d.to)}`;
    case 'NotificationAttemptFailed':
      return `${String(d.channel)} #${String(d.attempt)}: ${String(d.error)} (→ ${jst(String(d.nextAttemptAt))})`;
    default:
      return typeof d?.note === 'string' ? d.note : '';
  }
}

function hopLine(episode: HopEpisode, lang: Lang, now: string): string {
  const w = WORDS[lang];
  const result = outcome(episode, now);
  const status = result === 'met' ? w.met : result === 'missed' ? w.missed : w.open;
  const done = episode.doneAt ? `${w.done} ${jst(episode.doneAt)} (${w.by} ${episode.doneBy})` : w.notDone;
  const esc = episode.escalations.length > 0 ? `, ${w.escalations} ${episode.escalations.length}` : '';
  return `  ${HOP[lang][episode.hop].padEnd(lang === 'ja' ? 12 : 16)} ${w.due} ${jst(episode.dueAt)}  ${done}  ${w.took} ${humanDuration(durationMs(episode, now))}  [${status}${esc}]`;
}

/** A readable timeline of a stream, with each hop's deadline and whether it was met. */
export function renderTimeline(
  streamId: string,
  events: readonly StoredEvent[],
  lang: Lang,
  now: string,
): string {
  const w = WORDS[lang];
  const lines = [`${w.title}: ${streamId}`, ''];
  for (const e of events) {
    const name = EVENT[lang][e.type] ?? e.type;
    const text = detail(e, lang);
    lines.push(
      `${jst(e.recordedAt)}  v${e.version}  ${name}${text ? ` — ${text}` : ''}  (${actorText(e.actor)})`,
    );
  }
  const folding = auditFoldings[streamTypeOf(streamId)];
  if (streamTypeOf(streamId) === 'incident' && folding) {
    const recorded = events.map((e) => folding.upcast(e) as Recorded<IncidentEvent>);
    const episodes = hopEpisodes(recorded);
    lines.push('', `${w.hops}:`);
    for (const episode of episodes) lines.push(hopLine(episode, lang, now));
  }
  return lines.join('\n');
}
