import type { Actor } from '../actor.ts';
import { DEFAULT_SECTOR, type SectorId } from '../sector/catalog.ts';
import { visibleSectors } from '../sector/visibility.ts';
import type { Answers } from './definition.ts';
import {
  memberScores,
  participation,
  type QuestionResult,
  questionResults,
  type Scores,
  type SectorScore,
  sectorScore,
  submittedOf,
} from './results.ts';
import {
  isNamed,
  isOwner,
  latestVersion,
  type ResponseState,
  type SurveyState,
  sectorOfRecipient,
} from './survey.ts';

/**
 * Who sees what of a survey. The owner always; the secretariat and the ministry of a sector it
 * covers once it is issued; NISC every survey; an auditor those of its sectors; a member once
 * issued to its organisation, and for TLP:RED only the named contacts' logins (`isNamed`, as for
 * advisories). Anything else is 404, never 403: a sector's surveys do not exist
 * for another sector.
 */
export function canSeeSurvey(s: SurveyState, actor: Actor): boolean {
  if (actor.kind === 'system') return true;
  if (isOwner(s, actor)) return true;
  const issued = s.status !== 'draft';
  const mine = s.sectors.filter((x) => (visibleSectors(actor) as readonly string[]).includes(x));
  switch (actor.role) {
    case 'member':
      return (
        issued &&
        actor.org !== undefined &&
        sectorOfRecipient(s, actor.org) === (actor.sector ?? DEFAULT_SECTOR) &&
        isNamed(s, actor.org, actor.sub)
      );
    case 'secretariat':
    case 'ministry':
    case 'auditor':
    case 'nisc':
      return issued && mine.length > 0;
    default: {
      const _never: never = actor.role;
      return _never;
    }
  }
}

/** The sectors of a survey whose results the caller reads. */
export const resultSectors = (s: SurveyState, actor: Actor): SectorId[] =>
  actor.kind === 'system'
    ? [...s.sectors]
    : s.sectors.filter((x) => (visibleSectors(actor) as readonly string[]).includes(x));

/** A survey as GET /surveys/{id} answers it: the newest version's definition and where it stands. */
export function surveyView(s: SurveyState, actor: Actor) {
  const { surveyVersion, definition } = latestVersion(s);
  const chain = actor.kind === 'system' || actor.role !== 'member';
  return {
    id: s.id,
    title: definition.title,
    sectors: resultSectors(s, actor),
    owner: s.owner.role,
    ...(s.series ? { series: s.series } : {}),
    tlp: s.tlp,
    resultsTlp: s.resultsTlp,
    k: s.k,
    status: s.status,
    surveyVersion,
    definition,
    createdAt: s.createdAt,
    ...(s.issuedAt ? { issuedAt: s.issuedAt } : {}),
    ...(s.dueAt ? { dueAt: s.dueAt } : {}),
    ...(s.remindAt && chain ? { remindAt: s.remindAt } : {}),
    ...(s.closedAt ? { closedAt: s.closedAt } : {}),
    ...(chain
      ? { invited: resultSectors(s, actor).reduce((n, x) => n + (s.recipients[x]?.length ?? 0), 0) }
      : {}),
  };
}

/** A row of GET /surveys. */
export function surveyRow(s: SurveyState, actor: Actor) {
  const { title, sectors, owner, tlp, status, surveyVersion, createdAt, ...rest } = surveyView(s, actor);
  return {
    id: s.id,
    title,
    sectors,
    owner,
    tlp,
    status,
    surveyVersion,
    createdAt,
    ...(rest.series ? { series: rest.series } : {}),
    ...(rest.issuedAt ? { issuedAt: rest.issuedAt } : {}),
    ...(rest.dueAt ? { dueAt: rest.dueAt } : {}),
    ...(rest.closedAt ? { closedAt: rest.closedAt } : {}),
  };
}

/** The caller's own response as GET /surveys/{id}/response answers it. */
export function responseView(s: SurveyState, r: ResponseState | null, org: string) {
  const { surveyVersion } = latestVersion(s);
  return {
    surveyId: s.id,
    org,
    surveyVersion,
    status: r?.submitted ? ('submitted' as const) : r?.draft ? ('draft' as const) : ('empty' as const),
    answers: (r?.draft?.answers ?? {}) as Answers,
    ...(r?.draft ? { savedAt: r.draft.savedAt, answeredVersion: r.draft.surveyVersion } : {}),
    saves: r?.saves ?? 0,
    ...(r?.submitted ? { submittedAt: r.submitted.at } : {}),
    ...(r?.firstSubmittedAt ? { firstSubmittedAt: r.firstSubmittedAt } : {}),
    late: r?.late ?? false,
    amendments: r?.amendments ?? 0,
    ...(s.dueAt ? { dueAt: s.dueAt } : {}),
    open: s.status === 'open',
  };
}

/**
 * GET /surveys/{id}/recipients: the secretariat's member organisations a survey went to in its sector,
 * each with where its answer stands and every message the survey sent it (the survey, its reminder),
 * each contact's outcome and the failed attempts the queue retried before it. Who has not been reached
 * is what the secretariat chases by phone; per-organisation rows never leave the sector.
 */
export function recipientsView(s: SurveyState, responses: readonly ResponseState[], sector: SectorId) {
  const byOrg = new Map(responses.filter((r) => r.sector === sector).map((r) => [r.org, r]));
  const items = [...(s.recipients[sector] ?? [])].sort().map((org) => {
    const r = byOrg.get(org);
    // As the response state records them: exactly the fields the API documents (recipientsSchema).
    const deliveries = r?.deliveries ?? [];
    const attempts = r?.attempts ?? [];
    const surveyMessages = deliveries.filter((d) => d.purpose === 'survey');
    const reach = surveyMessages.some((d) => d.ok)
      ? ('reached' as const)
      : surveyMessages.length > 0
        ? ('failed' as const)
        : ('pending' as const);
    return {
      org,
      reach,
      response: r?.submitted ? ('submitted' as const) : r?.draft ? ('draft' as const) : ('none' as const),
      late: r?.late ?? false,
      ...(r?.firstSubmittedAt ? { submittedAt: r.firstSubmittedAt } : {}),
      deliveries,
      attempts,
    };
  });
  const count = (reach: (typeof items)[number]['reach']) => items.filter((i) => i.reach === reach).length;
  return {
    surveyId: s.id,
    sector,
    status: s.status,
    ...(s.issuedAt ? { issuedAt: s.issuedAt } : {}),
    ...(s.dueAt ? { dueAt: s.dueAt } : {}),
    invited: items.length,
    reached: count('reached'),
    failed: count('failed'),
    pending: count('pending'),
    responded: items.filter((i) => i.response === 'submitted').length,
    items,
  };
}

export interface SectorResult {
  readonly sector: SectorId;
  readonly invited: number;
  readonly responded: number;
  readonly late: number;
  readonly responseRate: number;
  readonly score: SectorScore;
  readonly questions: QuestionResult[];
}

export interface MemberRow {
  readonly org: string;
  readonly submittedAt: string;
  readonly late: boolean;
  readonly surveyVersion: number;
  readonly scores: Scores;
}

/** A previous edition of the same series: its sector scores, and the member's own overall where it answered. */
export interface HistoryEntry {
  readonly surveyId: string;
  readonly title: { ja: string; en: string };
  readonly issuedAt?: string;
  readonly sectors: {
    sector: SectorId;
    responded: number;
    responseRate: number;
    overall?: SectorScore['overall'];
  }[];
  readonly own?: number | null;
}

export type ResultsView = ReturnType<typeof resultsView>;

/**
 * GET /surveys/{id}/results for the caller:
 * - a member: its own scores against its sector's median and quartiles, and its sector's
 *   distribution with cells of fewer than k respondents withheld, no free text but what its
 *   secretariat released;
 * - a secretariat (its sector): every cell, every free-text answer, each member's scores, and the
 *   edits of free text it released;
 * - a ministry, NISC, an auditor: per sector they oversee (side by side), and over them all,
 *   the sector totals with cells under k withheld and only released free text.
 */
export function resultsView(
  s: SurveyState,
  responses: readonly ResponseState[],
  actor: Actor,
  history: HistoryEntry[] = [],
) {
  const { definition, surveyVersion } = latestVersion(s);
  const role = actor.kind === 'system' ? 'nisc' : actor.role;
  const view: 'member' | 'sector' | 'chain' =
    role === 'member' ? 'member' : role === 'secretariat' ? 'sector' : 'chain';
  const released = (sector: SectorId | null) => (questionId: string) => {
    const r = s.released.filter(
      (x) => x.questionId === questionId && (sector === null || x.sector === sector),
    );
    return r.length === 0 ? undefined : r.flatMap((x) => [...x.texts]);
  };
  const sectorsShown = resultSectors(s, actor);
  const sectorOf = (sector: SectorId | null): SectorResult & { sector: SectorId | 'all' } => {
    const rs = responses.filter((r) =>
      sector === null ? sectorsShown.includes(r.sector) : r.sector === sector,
    );
    const subs = submittedOf(rs);
    const k = view === 'sector' ? 0 : s.k;
    const scored = memberScores(s, subs);
    const p = sector ? participation(s, rs, sector) : participationOver(s, rs, sectorsShown);
    return {
      sector: sector ?? 'all',
      ...p,
      score: sectorScore(s, scored, view === 'sector' ? 1 : s.k),
      questions: questionResults(s, subs, {
        k,
        texts: view === 'sector' ? (_id, given) => given : released(sector),
      }),
    } as SectorResult & { sector: SectorId | 'all' };
  };
  const base = {
    surveyId: s.id,
    title: definition.title,
    language: definition.language,
    surveyVersion,
    tlp: s.resultsTlp,
    k: s.k,
    status: s.status,
    view,
    ...(s.series ? { series: s.series } : {}),
    ...(history.length > 0 ? { history } : {}),
  };
  if (view === 'member') {
    const org = actor.kind === 'user' ? (actor.org ?? '') : '';
    const sector =
      sectorOfRecipient(s, org) ??
      (actor.kind === 'user' ? (actor.sector ?? DEFAULT_SECTOR) : DEFAULT_SECTOR);
    const own = responses.find((r) => r.org === org && r.submitted);
    const ownRow = own ? memberScores(s, submittedOf([own]))[0] : undefined;
    return {
      ...base,
      sectors: [sectorOf(sector)],
      ...(ownRow
        ? {
            own: {
              org,
              submittedAt: ownRow.at,
              late: ownRow.late,
              surveyVersion: ownRow.surveyVersion,
              scores: ownRow.scores,
            },
          }
        : {}),
    };
  }
  if (view === 'sector') {
    const sector = actor.kind === 'user' ? (actor.sector ?? DEFAULT_SECTOR) : DEFAULT_SECTOR;
    const subs = submittedOf(responses.filter((r) => r.sector === sector));
    const members: MemberRow[] = memberScores(s, subs)
      .map((m) => ({
        org: m.org,
        submittedAt: m.at,
        late: m.late,
        surveyVersion: m.surveyVersion,
        scores: m.scores,
      }))
      .sort((a, b) => (a.org < b.org ? -1 : 1));
    // What the secretariat released of its sector's free text (the ministry and NISC read only this).
    const releasedTexts = s.released
      .filter((r) => r.sector === sector)
      .map((r) => ({ questionId: r.questionId, texts: [...r.texts], releasedAt: r.releasedAt }));
    return { ...base, sectors: [sectorOf(sector)], members, released: releasedTexts };
  }
  return {
    ...base,
    sectors: sectorsShown.map((x) => sectorOf(x)),
    ...(sectorsShown.length > 1 ? { total: sectorOf(null) } : {}),
  };
}

function participationOver(s: SurveyState, rs: readonly ResponseState[], sectors: readonly SectorId[]) {
  const invited = sectors.reduce((n, x) => n + (s.recipients[x]?.length ?? 0), 0);
  const mine = rs.filter((r) => r.submitted && sectors.includes(r.sector));
  return {
    invited,
    responded: mine.length,
    late: mine.filter((r) => r.late).length,
    responseRate: invited === 0 ? 0 : Math.round((mine.length / invited) * 1000) / 1000,
  };
}
