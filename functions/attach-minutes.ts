import { createHash } from 'node:crypto';
import { activityView } from '../events/activity/activity.ts';
import { NotFoundError } from '../events/errors.ts';
import { canSeeSector } from '../events/sector/visibility.ts';
import { activities } from './aggregates/activities.ts';
import { blobWriter } from './blobs/blob-writer.ts';
import { minutesFilename, minutesType, uploadedBytes } from './blobs/minutes.ts';
import { checkedMinutesFilename } from './blobs/minutes-filename.ts';
import { httpHandler } from './http/http.ts';
import { uuidFrom } from './http/incident-id.ts';
import { decideAndFold, loadAggregate, runCommand } from './store/command-runner.ts';
import { reader } from './store/reader.ts';
import { store } from './store/store.ts';

/**
 * POST /activities/{id}/minutes?filename=: the secretariat attaches minutes, sent as the body
 * itself (PDF, DOCX or plain text, told by its bytes; at most the API's body limit). The decision
 * is checked first, then the file goes to the blob store under its SHA-256, then the event that
 * names it: a failed append leaves an orphan no event refers to, never an event without its file.
 */
export const handler = httpHandler({ allow: ['secretariat'] }, async (request) => {
  const id = uuidFrom(request, 'activity');
  const givenName = checkedMinutesFilename(request.query.filename);
  const loaded = await loadAggregate(reader, activities, id);
  if (loaded.state === null || !canSeeSector(request.actor, loaded.state.sector))
    throw new NotFoundError('no such activity');
  const bytes = uploadedBytes(request.event.body, request.event.isBase64Encoded);
  const contentType = minutesType(bytes, request.event.headers?.['content-type']);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const key = `minutes/${id}/${sha256}`;
  const filename = minutesFilename(givenName, contentType, loaded.state.minutes.length + 1);
  const command = {
    type: 'AttachMinutes' as const,
    data: { filename, contentType, size: bytes.length, sha256, key },
  };
  const ctx = { now: new Date().toISOString(), actor: request.actor };
  // A dry run: a refusal (too many files) is known before anything is stored.
  decideAndFold(activities, loaded.state, loaded.version, command, ctx);
  await blobWriter().put(key, bytes, contentType);
  const result = await runCommand(store, activities, id, command, ctx, { retryOnConflict: true, loaded });
  const added = result.state ? activityView(result.state).minutes.at(-1) : undefined;
  return {
    status: 201,
    body: added,
    headers: { location: `/activities/${id}/minutes/${added?.n ?? 0}` },
  };
});
