import { NotFoundError } from '../../events/errors.ts';
import type { HttpRequest } from './http.ts';
import { UUID } from './uuid.ts';

/** A UUID from the path; anything that is not one of ours is simply not found (`what`: "incident"). */
export function uuidFrom(request: Pick<HttpRequest<unknown>, 'params'>, what: string): string {
  const id = request.params.id;
  if (id === undefined || !UUID.test(id)) throw new NotFoundError(`no such ${what}`);
  return id;
}

/** The incident id from the path. */
export const incidentIdFrom = (request: Pick<HttpRequest<unknown>, 'params'>) =>
  uuidFrom(request, 'incident');
