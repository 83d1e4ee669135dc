import { builtOnce } from '../built-once.ts';
import { orgId } from '../directory/directory.ts';
import { text, tlpLabels } from '../fields.ts';
import { severities } from '../policy.ts';
import { isSectorId, type SectorId, sectorIds } from '../sector/catalog.ts';
import * as z from '../zod.ts';

/**
 * The bodies below are built on first use and kept (events/built-once.ts): each advisory function parses one
 * of them, and the others are not built at its cold start.
 */
const ackWithinHours = () =>
  z._default(
    z.number().check(z.positive('must be positive'), z.maximum(720, 'must be at most 720 hours')),
    24,
  );

const common = () => ({
  title: text(200),
  body: text(20_000),
  tlp: z.enum(tlpLabels),
  /** Sets the forwarding hops' deadlines (relay policy); advisories default to high. */
  severity: z._default(z.enum(severities), 'high'),
  ackWithinHours: ackWithinHours(),
  /** The sector it goes to: one the issuer sees (default: its only one, else chemical when it sees that). */
  sector: z.optional(z.enum(sectorIds)),
  audience: z._default(
    z.union([
      z.literal('all'),
      z.array(orgId).check(
        z.minLength(1, 'name at least one organisation'),
        z.maxLength(5000),
        z.refine((a) => new Set(a).size === a.length, 'must not repeat an organisation'),
      ),
    ]),
    'all',
  ),
});

/** `sectors`: `all`, or sector ids (each checked on its own, so a 400 names `sectors.<i>`). */
const sectors = /* @__PURE__ */ builtOnce(() => {
  /** `sectors` as a list: strings here, each checked below, so a 400 names the entry (`sectors.<i>`). */
  const sectorList = z.array(z.string()).check(z.maxLength(sectorIds.length));
  z.globalRegistry.add(sectorList, {
    description: `sector ids, at least one, none repeated: each one of ${sectorIds.join(', ')}`,
  });
  return z.optional(
    z.union([z.literal('all'), sectorList]).check(
      z.superRefine((value, ctx) => {
        if (value === 'all') return;
        if (value.length === 0)
          ctx.issues.push({ code: 'custom', input: value, message: 'name at least one sector, or all' });
        const seen = new Set<string>();
        value.forEach((s, i) => {
          const message = !isSectorId(s)
            ? `one of ${sectorIds.join(', ')}`
            : seen.has(s)
              ? 'must not repeat a sector'
              : null;
          if (message) ctx.issues.push({ code: 'custom', input: s, path: [i], message });
          seen.add(s);
        });
      }),
    ),
  );
});

/**
 * The body of POST /advisories (情報提供). With `sectors` (NISC, or a ministry for the sectors it
 * oversees) it goes to several sectors, or to all: one chain per sector (events/advisory/fork.ts).
 */
export const issueAdvisoryBody = /* @__PURE__ */ builtOnce(() =>
  z.strictObject({
    ...common(),
    drill: z._default(z.boolean(), false),
    sectors: sectors(),
  }),
);
export type IssueAdvisoryBody = z.output<ReturnType<typeof issueAdvisoryBody>>;

/** The validated `sectors` of the body, typed: `all`, or the sector ids (each one checked above). */
export const forkTarget = (sectors: 'all' | readonly string[]): 'all' | SectorId[] =>
  sectors === 'all' ? 'all' : sectors.filter(isSectorId);

/** The body of POST /drills: an advisory marked as an exercise; with `sectors`, in several sectors or all. */
export const drillBody = /* @__PURE__ */ builtOnce(() => z.strictObject({ ...common(), sectors: sectors() }));

/** The body of POST /advisories/{id}/forward. */
export const forwardBody = /* @__PURE__ */ builtOnce(() => z.strictObject({ note: z.optional(text(5_000)) }));

/** The body of POST /incidents/{id}/share: the text the secretariat edited for the other members. */
export const shareBody = /* @__PURE__ */ builtOnce(() =>
  z.strictObject({
    title: text(200),
    body: text(20_000),
    tlp: z.enum(tlpLabels),
    ackWithinHours: ackWithinHours(),
  }),
);
export type ShareBody = z.output<ReturnType<typeof shareBody>>;
