import { systemActor } from '../events/actor.ts';
import { NotFoundError } from '../events/errors.ts';
import { recipientId, recipients } from './aggregates/advisories.ts';
import { organizations } from './aggregates/organizations.ts';
import { publicHandler, wantsHtml } from './http/public-http.ts';
import { ackKey, verifyAckToken } from './notify/ack-link.ts';
import { ACK_PAGE_HEADERS, ackErrorPage, ackPage } from './notify/ack-page.ts';
import { acknowledgeAdvisory, distributedAdvisory } from './notify/acknowledge.ts';
import { loadAggregate } from './store/command-runner.ts';
import { store } from './store/store.ts';

/** The console's origin (its advisory page); locally the same server, so a relative link. */
const CONSOLE_URL = (process.env.PUBLIC_URL ?? '').replace(/\/$/, '');

/**
 * The acknowledgement link in every advisory message. No login: the signed token binds one
 * contact of one recipient organisation to one advisory, and expires. A forged, altered or
 * expired token is refused and writes nothing.
 * - GET /ack/{token} records NOTHING: mail and chat scanners open links before people do. A
 *   browser gets a page with one button; an API client gets the acknowledgement's state.
 * - POST /ack/{token} (the button) records it; a second press answers "already acknowledged"
 *   and writes nothing.
 */
export const handler = publicHandler(
  async (event) => {
    const claims = await verifyAckToken(await ackKey(), event.pathParameters?.token ?? '');
    const html = wantsHtml(event.headers?.accept);
    const advisory = await distributedAdvisory(claims.advisoryId);
    if (!advisory.recipients.includes(claims.org)) throw new NotFoundError('no such advisory');
    // One GetItem of the organisation's own stream (a page view), never the whole directory.
    const names = html
      ? (await loadAggregate(store, organizations, claims.org)).state?.entry.name
      : undefined;
    const facts = {
      title: advisory.title,
      tlp: advisory.tlp,
      drill: advisory.drill,
      org: claims.org,
      orgName: names ?? { ja: claims.org, en: claims.org },
      consoleLink: `${CONSOLE_URL}/advisories/${encodeURIComponent(advisory.id)}`,
    };
    if (event.requestContext.http.method === 'POST') {
      const actor = systemActor(`ack-link:${claims.contactId}`);
      const answer = await acknowledgeAdvisory(
        actor,
        claims.advisoryId,
        claims.org,
        claims.contactId,
        'link',
      );
      const body = { ...answer, contactId: claims.contactId };
      return html
        ? {
            status: 200,
            contentType: 'text/html; charset=utf-8',
            headers: ACK_PAGE_HEADERS,
            body: ackPage({
              ...facts,
              acknowledgedAt: answer.acknowledgedAt,
              justRecorded: answer.status === 'acknowledged',
            }),
          }
        : { status: 200, body };
    }
    const { state } = await loadAggregate(store, recipients, recipientId(claims.advisoryId, claims.org));
    const acknowledgedAt = state?.acknowledgedAt ?? null;
    return html
      ? {
          status: 200,
          contentType: 'text/html; charset=utf-8',
          headers: ACK_PAGE_HEADERS,
          body: ackPage({ ...facts, acknowledgedAt, justRecorded: false }),
        }
      : {
          status: 200,
          body: {
            advisoryId: claims.advisoryId,
            org: claims.org,
            contactId: claims.contactId,
            status: acknowledgedAt ? 'already_acknowledged' : 'not_acknowledged',
            acknowledgedAt,
          },
        };
  },
  { errorPage: (problem) => ({ html: ackErrorPage(problem), headers: ACK_PAGE_HEADERS }) },
);
