import type { HttpRequest } from './http.ts';
import { uuidFrom } from './incident-id.ts';

/** The advisory id from the path; anything that is not one of ours is simply not found. */
export const advisoryIdFrom = (request: Pick<HttpRequest<unknown>, 'params'>) =>
  uuidFrom(request, 'advisory');
