import { randomUUID } from 'node:crypto';
import { activityInputSchema, activityView } from '../events/activity/activity.ts';
import { ValidationError } from '../events/errors.ts';
import { actingSector } from '../events/sector/visibility.ts';
import { activities } from './aggregates/activities.ts';
import { httpHandler } from './http/http.ts';
import { httpCommand } from './http/http-command.ts';

/** POST /activities: the secretariat records a WG meeting, an exchange, a council meeting or a report, in its sector. */
export const handler = httpHandler(
  { allow: ['secretariat'], body: activityInputSchema() },
  async (request) => {
    const sector = actingSector(request.actor, undefined);
    if (sector === null)
      throw new ValidationError('the token names no one sector', [{ path: 'sector', message: 'required' }]);
    const activityId = randomUUID();
    return httpCommand(
      request,
      activities,
      activityId,
      { type: 'RecordActivity', data: { activityId, sector, input: request.body } },
      { now: new Date().toISOString(), actor: request.actor },
      {
        status: 201,
        body: (state) => activityView(state),
        location: (state) => `/activities/${state.id}`,
        newStream: true,
      },
    );
  },
);
