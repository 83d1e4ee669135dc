import { NotFoundError } from '../../events/errors.ts';
import type { HttpRequest } from './http.ts';

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A UUID from the path; anything that is not one of ours is simply not found (`what`: "incident"). */
export function uuidFrom(request: Pick<HttpRequest<unknown>, 'params'>, what: string): string {
  const id = request.params.id;
  if (id === undefined || !ID.test(id)) throw new NotFoundError(`no such ${what}`);
  return id;
}

/** The incident id from the path. */
export const incidentIdFrom = (request: Pick<HttpRequest<unknown>, 'params'>) =>
  uuidFrom(request, 'incident');
