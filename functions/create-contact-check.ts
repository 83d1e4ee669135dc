import * as z from '../events/zod.ts';
import { advisoryCommand, issuingSector, loadRoster, newAdvisoryId } from './http/advisory-http.ts';
import { httpHandler } from './http/http.ts';
import { reader } from './store/reader.ts';

const body = z.strictObject({
  ackWithinHours: z._default(
    z.number().check(z.positive('must be positive'), z.maximum(720, 'must be at most 720 hours')),
    24,
  ),
});

/**
 * POST /contact-checks: the reachability check that keeps contact lists current after staff
 * changes. A test message goes to every member contact on every channel it has, each with
 * its own link; a click records that contact as confirmed. Same code path as an advisory
 * (an exercise, TLP:GREEN), so reminders and the missed list work as for a drill.
 */
export const handler = httpHandler({ allow: ['secretariat'], body }, async (request) => {
  const advisoryId = newAdvisoryId();
  const sector = issuingSector(request.actor, undefined);
  const response = await advisoryCommand(
    request,
    advisoryId,
    {
      type: 'IssueAdvisory',
      data: {
        advisoryId,
        title: '連絡先確認 / Contact check',
        body:
          'セプター事務局による連絡先の到達確認です。リンクを押して受信を確認してください。\n' +
          'A reachability check of the CEPTOAR secretariat: please confirm receipt with the link.',
        tlp: 'GREEN',
        severity: 'low',
        ackWithinHours: request.body.ackWithinHours,
        audience: 'all',
        drill: true,
        contactCheck: true,
        sector,
        roster: await loadRoster(reader, sector),
      },
    },
    { status: 201, location: true, newStream: true },
  );
  return { ...response, headers: { ...response.headers, location: `/contact-checks/${advisoryId}` } };
});
