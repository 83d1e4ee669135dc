import { randomUUID } from 'node:crypto';
import { ValidationError } from '../events/errors.ts';
import { DEFAULT_SECTOR } from '../events/sector/catalog.ts';
import { ministryOfActor, visibleSectors } from '../events/sector/visibility.ts';
import { createSurveyBody } from '../events/survey/body.ts';
import type { SurveyOwner } from '../events/survey/survey.ts';
import { httpHandler, type UserActor } from './http/http.ts';
import { surveyCommand } from './surveys/survey-commands.ts';

function ownerOf(actor: UserActor): SurveyOwner {
  const org = actor.org ? { org: actor.org } : {};
  if (actor.role === 'ministry') {
    const ministry = ministryOfActor(actor);
    if (ministry) return { role: 'ministry', ministry, ...org };
  }
  if (actor.role === 'secretariat')
    return { role: 'secretariat', sector: actor.sector ?? DEFAULT_SECTOR, ...org };
  return { role: 'nisc', ...org };
}

/**
 * POST /surveys: NISC (any sectors), a ministry (its sectors) or a secretariat (its sector) builds a
 * survey, version 1 of its definition; it reaches nobody until issued.
 */
export const handler = httpHandler(
  { allow: ['nisc', 'ministry', 'secretariat'], body: createSurveyBody() },
  async (request) => {
    const { definition, sectors: requested, series, tlp, resultsTlp, k } = request.body;
    const mine = visibleSectors(request.actor);
    const outside = (requested ?? []).flatMap((s, i) =>
      mine.includes(s) ? [] : [{ path: `sectors.${i}`, message: `${s} is not a sector of yours` }],
    );
    if (outside.length > 0) throw new ValidationError('the survey names sectors outside yours', outside);
    const surveyId = randomUUID();
    return surveyCommand(
      request,
      surveyId,
      {
        type: 'CreateSurvey',
        data: {
          surveyId,
          sectors: [...(requested ?? mine)],
          owner: ownerOf(request.actor),
          ...(series ? { series } : {}),
          tlp,
          resultsTlp: resultsTlp ?? tlp,
          k,
          definition,
        },
      },
      201,
    );
  },
);
