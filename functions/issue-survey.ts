import type { SectorId } from '../events/sector/catalog.ts';
import { issueSurveyBody } from '../events/survey/body.ts';
import { loadVisibleSurvey, surveyIdFrom } from './aggregates/surveys.ts';
import { loadRoster } from './http/advisory-http.ts';
import { httpHandler } from './http/http.ts';
import { reader } from './store/reader.ts';
import { surveyCommand } from './surveys/survey-commands.ts';

/**
 * POST /surveys/{id}/issue: the owner issues the survey to the current members of its sectors (as the
 * directory lists them now; for TLP:RED, their contacts' logins are named), with a due date and the time
 * the silent ones are to be reminded (`remindAt`). The messages are reactions to the committed
 * `SurveyIssued` (functions/reactions/survey-reactions.ts), not sent here.
 */
export const handler = httpHandler(
  { allow: ['nisc', 'ministry', 'secretariat'], body: issueSurveyBody },
  async (request) => {
    const id = surveyIdFrom(request.params);
    const survey = await loadVisibleSurvey(reader, id, request.actor);
    const roster: Partial<Record<SectorId, string[]>> = {};
    const logins: Record<string, readonly string[]> = {};
    for (const sector of survey.sectors) {
      const sectorRoster = await loadRoster(reader, sector);
      roster[sector] = [...sectorRoster.members];
      Object.assign(logins, sectorRoster.logins);
    }
    return surveyCommand(request, id, {
      type: 'IssueSurvey',
      data: {
        dueAt: request.body.dueAt,
        ...(request.body.remindAt ? { remindAt: request.body.remindAt } : {}),
        roster,
        logins,
      },
    });
  },
);
