import { NotFoundError } from '../../events/errors.ts';
import type { HttpRequest } from './http.ts';

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The advisory id from the path; anything that is not one of ours is simply not found. */
export function advisoryIdFrom(request: Pick<HttpRequest<unknown>, 'params'>): string {
  const id = request.params.id;
  if (id === undefined || !ID.test(id)) throw new NotFoundError('no such advisory');
  return id;
}
