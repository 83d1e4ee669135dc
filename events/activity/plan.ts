import { type Actor, hasRole } from '../actor.ts';
import { ForbiddenError, NotFoundError } from '../errors.ts';
import { plainText, text } from '../fields.ts';
import type { SectorId } from '../sector/catalog.ts';
import { canSeeSector } from '../sector/visibility.ts';
import * as z from '../zod.ts';

/**
 * Next year's plan (次年度活動計画), written by the secretariat in sections as the last part of
 * a fiscal year's report: a draft, each save an event (`plan#<sector>#<fy>`, fy the report's year).
 */

export const MAX_PLAN_SECTIONS = 30;

/** PUT /reports/{sector}/{fy}/plan. */
export const planInputSchema = () =>
  z.strictObject({
    sections: z
      .array(
        z.strictObject({
          heading: text(200),
          body: z
            .string()
            .check(plainText(), z.trim(), z.maxLength(10_000, 'must be at most 10000 characters')),
        }),
      )
      .check(z.maxLength(MAX_PLAN_SECTIONS, `at most ${MAX_PLAN_SECTIONS} sections`)),
  });
export type PlanInput = z.output<ReturnType<typeof planInputSchema>>;

export type PlanEvent = {
  type: 'PlanDraftSaved';
  data: { sector: SectorId; fiscalYear: number } & PlanInput;
};

export interface PlanState extends PlanInput {
  readonly sector: SectorId;
  readonly fiscalYear: number;
  readonly savedAt: string;
  readonly savedBy: string;
  readonly version: number;
}
export type MaybePlan = PlanState | null;
export const initialPlan = (): MaybePlan => null;

export type PlanCommand = {
  type: 'SavePlanDraft';
  data: { sector: SectorId; fiscalYear: number } & PlanInput;
};

export function evolvePlan(
  _state: MaybePlan,
  event: PlanEvent & { version: number; recordedAt: string; actor: Actor },
): MaybePlan {
  return { ...event.data, savedAt: event.recordedAt, savedBy: event.actor.sub, version: event.version };
}

/** Decides a save. Pure: the sector's secretariat only; an unchanged draft writes nothing. */
export function decidePlan(
  command: PlanCommand,
  state: MaybePlan,
  ctx: { now: string; actor: Actor },
): PlanEvent[] {
  if (!canSeeSector(ctx.actor, command.data.sector)) throw new NotFoundError('no such report');
  if (!hasRole(ctx.actor, 'secretariat'))
    throw new ForbiddenError("only the sector's secretariat writes its plan");
  if (state !== null && JSON.stringify(state.sections) === JSON.stringify(command.data.sections)) return [];
  return [{ type: 'PlanDraftSaved', data: command.data }];
}

/** The plan's stream id without its type: `<sector>#<fy>`. */
export const planId = (sector: SectorId, fy: number): string => `${sector}#${fy}`;

/** A plan as the API shows it (an empty draft when nothing was saved yet). */
export const planView = (sector: SectorId, fy: number, s: MaybePlan) => ({
  sector,
  fiscalYear: fy,
  planYear: fy + 1,
  sections: (s?.sections ?? []).map((x) => ({ heading: x.heading, body: x.body })),
  savedAt: s?.savedAt ?? null,
  version: s?.version ?? 0,
});
export type PlanView = ReturnType<typeof planView>;
