import type { Actor } from '../actor.ts';
import { sectorOr } from '../sector/catalog.ts';
import { canSeeSector } from '../sector/visibility.ts';
import type { AdvisoryState, RecipientState } from './advisory.ts';

/**
 * TLP 2.0 for advisories. `actor` null is the public (no token).
 * - the secretariat (it relays everything down) and auditors: always;
 * - NISC and the ministry: the advisories that passed through them (or TLP:CLEAR ones);
 * - members, once the advisory reached them: CLEAR and GREEN, every member; AMBER and
 *   AMBER+STRICT, the recipient organisations only; RED, only the named contacts' logins
 *   of the recipient organisations;
 * - the public: TLP:CLEAR advisories once distributed.
 */
export function canSeeAdvisory(state: AdvisoryState, actor: Actor | null): boolean {
  const distributed = state.distributedAt !== null;
  if (actor === null) return distributed && state.tlp === 'CLEAR';
  if (actor.kind === 'system') return true;
  if (!canSeeSector(actor, state.sector)) return false;
  switch (actor.role) {
    case 'secretariat':
    case 'auditor':
      return true;
    case 'nisc':
      return state.issuerRole === 'nisc' || (distributed && state.tlp === 'CLEAR');
    case 'ministry':
      return (
        state.hops.ministry !== null ||
        state.issuerRole === 'ministry' ||
        (distributed && state.tlp === 'CLEAR')
      );
    case 'member': {
      if (!distributed) return false;
      const org = actor.org ?? '';
      switch (state.tlp) {
        case 'CLEAR':
        case 'GREEN':
          return true;
        case 'AMBER':
        case 'AMBER+STRICT':
          return state.recipients.includes(org);
        case 'RED':
          return state.recipients.includes(org) && (state.named[org] ?? []).includes(actor.sub);
        default: {
          const _never: never = state.tlp;
          return _never;
        }
      }
    }
    default: {
      const _never: never = actor.role;
      return _never;
    }
  }
}

/** The share of recipients that acknowledged, and that acknowledged within the window. */
export function transmission(state: AdvisoryState, recipients: readonly RecipientState[]) {
  const byOrg = new Map(recipients.map((r) => [r.org, r]));
  let acknowledged = 0;
  let withinWindow = 0;
  let delivered = 0;
  for (const org of state.recipients) {
    const r = byOrg.get(org);
    if (r?.deliveries.some((d) => d.ok && d.purpose === 'advisory')) delivered++;
    if (r?.acknowledgedAt) {
      acknowledged++;
      if (state.ackDueAt && r.acknowledgedAt <= state.ackDueAt) withinWindow++;
    }
  }
  const total = state.recipients.length;
  return {
    recipients: total,
    delivered,
    acknowledged,
    withinWindow,
    rate: total === 0 ? 0 : withinWindow / total,
  };
}

/** One recipient organisation's row: delivered when, on which channel, acknowledged when. */
export function recipientRow(org: string, state: AdvisoryState, r: RecipientState | undefined) {
  return {
    org,
    deliveries: (r?.deliveries ?? []).map(({ key: _k, ...d }) => d),
    attempts: (r?.attempts ?? []).map(({ key: _k, ...a }) => a),
    acknowledgedAt: r?.acknowledgedAt ?? null,
    acknowledgements: r?.acknowledgements ?? [],
    remindedAt: r?.remindedAt ?? null,
    missed: state.missed.includes(org),
  };
}

const chainRoles = new Set(['secretariat', 'auditor', 'nisc', 'ministry']);

/**
 * The view of an advisory for a caller who may see it. The chain (NISC, ministry, secretariat,
 * auditors) sees every recipient and the rate; a member sees the advisory and its own
 * organisation's row only (never the recipient list, which would name who was left out);
 * the link to a shared incident is the secretariat's alone.
 */
export function advisoryView(
  state: AdvisoryState,
  actor: Actor | null,
  recipients: readonly RecipientState[],
) {
  const content = {
    id: state.id,
    sector: sectorOr(state.sector),
    ...(state.exerciseId ? { exerciseId: state.exerciseId } : {}),
    ...(state.parentId ? { parentId: state.parentId } : {}),
    title: state.title,
    body: state.body,
    tlp: state.tlp,
    drill: state.drill,
    severity: state.severity,
    status: state.status,
    issuerRole: state.issuerRole,
    createdAt: state.createdAt,
    distributedAt: state.distributedAt,
    ackDueAt: state.ackDueAt,
    ackWithinHours: state.ackWithinHours,
    notes: (['ministry', 'secretariat'] as const).flatMap((hop) => {
      const note = state.hops[hop]?.note;
      return note ? [{ hop, note }] : [];
    }),
    version: state.version,
  };
  if (actor === null) return content;
  const role = actor.kind === 'system' ? 'secretariat' : actor.role;
  if (!chainRoles.has(role)) {
    const org = actor.kind === 'user' ? (actor.org ?? '') : '';
    const own = state.recipients.includes(org)
      ? recipientRow(
          org,
          state,
          recipients.find((r) => r.org === org),
        )
      : null;
    return { ...content, recipient: own };
  }
  const byOrg = new Map(recipients.map((r) => [r.org, r]));
  return {
    ...content,
    ...(role === 'secretariat' && state.sourceIncidentId ? { sourceIncidentId: state.sourceIncidentId } : {}),
    issuedBy: state.issuedBy,
    hops: state.hops,
    stalledHop: state.stalledHop,
    remindAt: state.remindAt,
    remindersSentAt: state.remindersSentAt,
    closedAt: state.closedAt,
    transmission: transmission(state, recipients),
    recipients: state.recipients.map((org) => recipientRow(org, state, byOrg.get(org))),
    deliveries: state.deliveries,
    attempts: state.attempts ?? [],
  };
}

/** A board row: what the caller may know of an advisory in a list. */
export function advisorySummary(state: AdvisoryState) {
  return {
    id: state.id,
    sector: sectorOr(state.sector),
    ...(state.exerciseId ? { exerciseId: state.exerciseId } : {}),
    title: state.title,
    tlp: state.tlp,
    drill: state.drill,
    status: state.status,
    issuerRole: state.issuerRole,
    createdAt: state.createdAt,
    distributedAt: state.distributedAt,
    ackDueAt: state.ackDueAt,
  };
}
