import { type Actor, hasRole } from '../actor.ts';
import { canSeeSector } from '../sector/visibility.ts';
import type { AdvisoryState, ForwardHop, RecipientState } from './advisory.ts';

/**
 * Who may read an advisory's transmission report (and list it among the drills): the
 * secretariat, which runs drills, and auditors always; NISC the ones it issued; the ministry
 * the ones that passed through it or that it issued.
 */
export const canSeeReport = (state: AdvisoryState, actor: Actor): boolean =>
  actor.kind === 'system' ||
  (canSeeSector(actor, state.sector) &&
    (hasRole(actor, 'secretariat', 'auditor') ||
      (hasRole(actor, 'nisc') && state.issuerRole === 'nisc') ||
      (hasRole(actor, 'ministry') && (state.hops.ministry !== null || state.issuerRole === 'ministry'))));

const seconds = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 1000);

/** A hop's forward against its first deadline (escalations move the deadline, not the measure). */
function hopStage(state: AdvisoryState, hop: ForwardHop) {
  const p = state.hops[hop];
  if (p === null) return null;
  const dueAt = p.escalations[0]?.missedDueAt ?? p.dueAt;
  const within = p.doneAt !== null && dueAt !== null && p.doneAt <= dueAt;
  return {
    stage: hop,
    expected: 1,
    withinDeadline: within ? 1 : 0,
    rate: within ? 1 : 0,
    startedAt: p.startedAt,
    dueAt,
    forwardedAt: p.doneAt,
    secondsToForward: p.doneAt && p.startedAt ? seconds(p.startedAt, p.doneAt) : null,
    escalations: p.escalations.length,
  };
}

/**
 * A drill's (or any advisory's) report: the information transmission rate within the window,
 * overall and per stage (each forwarding hop, then the members), and each recipient's time
 * to acknowledge, whether it was reminded and whether it missed. Pure.
 */
export function transmissionReport(state: AdvisoryState, recipients: readonly RecipientState[]) {
  const byOrg = new Map(recipients.map((r) => [r.org, r]));
  const rows = state.recipients.map((org) => {
    const r = byOrg.get(org);
    const delivered = r?.deliveries.find((d) => d.ok && d.purpose === 'advisory');
    const ackAt = r?.acknowledgedAt ?? null;
    const within = ackAt !== null && state.ackDueAt !== null && ackAt <= state.ackDueAt;
    return {
      org,
      deliveredAt: delivered?.at ?? null,
      channel: delivered?.channel ?? null,
      deliveryFailures: r?.deliveries.filter((d) => !d.ok).length ?? 0,
      acknowledgedAt: ackAt,
      secondsToAcknowledge: ackAt && state.distributedAt ? seconds(state.distributedAt, ackAt) : null,
      withinWindow: within,
      reminded: r?.remindedAt !== null && r?.remindedAt !== undefined,
      missed: state.missed.includes(org) || (state.closedAt !== null && !within),
    };
  });
  const withinWindow = rows.filter((r) => r.withinWindow).length;
  const members = {
    stage: 'members' as const,
    expected: rows.length,
    withinDeadline: withinWindow,
    rate: rows.length === 0 ? 0 : withinWindow / rows.length,
    startedAt: state.distributedAt,
    dueAt: state.ackDueAt,
  };
  return {
    advisoryId: state.id,
    title: state.title,
    drill: state.drill,
    tlp: state.tlp,
    status: state.status,
    issuedAt: state.createdAt,
    issuerRole: state.issuerRole,
    distributedAt: state.distributedAt,
    ackDueAt: state.ackDueAt,
    windowHours: state.ackWithinHours,
    overall: { recipients: rows.length, acknowledgedWithinWindow: withinWindow, rate: members.rate },
    stages: [hopStage(state, 'ministry'), hopStage(state, 'secretariat'), members].filter((s) => s !== null),
    recipients: rows,
  };
}

export type TransmissionReport = ReturnType<typeof transmissionReport>;

/** Seconds in the one day the drills' transmission rate counts (１日以内の情報伝達率). */
export const ONE_DAY_S = 86_400;

/** The recipients that acknowledged within one day of the distribution: the drills' measure. */
export const acknowledgedWithinOneDay = (report: Pick<TransmissionReport, 'recipients'>): number =>
  report.recipients.filter((r) => r.secondsToAcknowledge !== null && r.secondsToAcknowledge <= ONE_DAY_S)
    .length;

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** The report as CSV: one row per stage, then one per recipient, for a spreadsheet. */
export function reportCsv(report: TransmissionReport): string {
  const lines = [
    [
      'row',
      'stage_or_org',
      'expected',
      'within_deadline',
      'rate',
      'delivered_at',
      'channel',
      'acknowledged_at',
      'seconds_to_acknowledge',
      'within_window',
      'reminded',
      'missed',
    ],
    ...report.stages.map((s) => [
      'stage',
      s.stage,
      s.expected,
      s.withinDeadline,
      s.rate,
      '',
      '',
      '',
      '',
      '',
      '',
      '',
    ]),
    ...report.recipients.map((r) => [
      'recipient',
      r.org,
      '',
      '',
      '',
      r.deliveredAt,
      r.channel,
      r.acknowledgedAt,
      r.secondsToAcknowledge,
      r.withinWindow,
      r.reminded,
      r.missed,
    ]),
  ];
  return `${lines.map((l) => l.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
