import { type Actor, hasRole } from '../actor.ts';
import { builtOnce } from '../built-once.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { e164Phone, plainText } from '../fields.ts';
import {
  DEFAULT_SECTOR,
  ministryOf,
  ministryOfOrg,
  type SectorId,
  sectorIds,
  sectorOr,
} from '../sector/catalog.ts';
import { canSeeSector, visibleSectors } from '../sector/visibility.ts';
import * as z from '../zod.ts';

/** The channels a contact can be reached on; `voice` is a phone call that reads the message aloud. */
export const channels = ['email', 'sms', 'webhook', 'voice'] as const;
export type DirectoryChannel = (typeof channels)[number];

/** The kinds of organisation in a CEPTOAR. */
export const orgKinds = ['member', 'secretariat', 'ministry', 'nisc'] as const;
export type OrgKind = (typeof orgKinds)[number];

/** An organisation id as it appears in URLs and tokens (`custom:org`). */
export const orgId = z
  .string()
  .check(z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be an organisation id such as asahi-petrochem'));

const addressField: Record<DirectoryChannel, 'email' | 'phone' | 'webhook' | 'voice'> = {
  email: 'email',
  sms: 'phone',
  webhook: 'webhook',
  voice: 'voice',
};

function buildSchemas() {
  // One person or duty desk, the addresses it has, and which channel is primary and which secondary.
  const contact = z
    .strictObject({
      id: z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a contact id such as asahi-csirt')),
      name: z.string().check(plainText(), z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(200)),
      email: z.optional(z.email('must be an e-mail address').check(z.maxLength(254))),
      phone: z.optional(e164Phone()),
      /** The number a call reads messages to (a duty desk's landline, say); may be the SMS phone's. */
      voice: z.optional(e164Phone()),
      webhook: z.optional(
        z
          .url({ protocol: /^https$/, error: 'must be an https:// URL' })
          .check(z.maxLength(2000), plainText()),
      ),
      lang: z._default(z.enum(['ja', 'en']), 'ja'),
      escalation: z._default(z.boolean(), false),
      /** The login (token `sub`) of the person, which a TLP:RED advisory needs to show it to them. */
      login: z.optional(z.string().check(z.minLength(1), z.maxLength(128), plainText())),
      primary: z.enum(channels),
      secondary: z.optional(z.enum(channels)),
    })
    .check(
      z.superRefine((c, ctx) => {
        for (const role of ['primary', 'secondary'] as const) {
          const channel = c[role];
          if (channel && c[addressField[channel]] === undefined) {
            ctx.addIssue({
              code: 'custom',
              path: [addressField[channel]],
              message: `the ${role} channel ${channel} needs this address`,
            });
          }
        }
        if (c.secondary !== undefined && c.secondary === c.primary) {
          ctx.addIssue({
            code: 'custom',
            path: ['secondary'],
            message: 'must differ from the primary channel',
          });
        }
      }),
    );

  // An organisation's directory entry: the body of PUT /directory/organizations/{org}.
  const organization = z
    .strictObject({
      kind: z.enum(orgKinds),
      /** The sector of a member or a secretariat (none: chemical); a ministry or NISC spans sectors. */
      sector: z.optional(z.enum(sectorIds)),
      name: z.strictObject({
        ja: z.string().check(plainText(), z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(200)),
        en: z.string().check(plainText(), z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(200)),
      }),
      contacts: z
        .array(contact)
        .check(z.minLength(1, 'an organisation needs at least one contact'), z.maxLength(50)),
    })
    .check(
      z.superRefine((o, ctx) => {
        const seen = new Set<string>();
        o.contacts.forEach((c, i) => {
          if (seen.has(c.id))
            ctx.addIssue({ code: 'custom', path: ['contacts', i, 'id'], message: 'repeated id' });
          seen.add(c.id);
          // NISC's rule for the downward flow: two routes to every member contact.
          if (o.kind === 'member' && c.secondary === undefined) {
            ctx.addIssue({
              code: 'custom',
              path: ['contacts', i, 'secondary'],
              message: 'a member contact needs a secondary channel',
            });
          }
        });
      }),
    );
  return { contact, organization };
}

const builtSchemas = /* @__PURE__ */ builtOnce(buildSchemas);

// Built on first use: nearly every function imports this module (the directory aggregate, addressOf,
// orgOfKind), and only a change to an entry or a local seed validates one; building these schemas at
// import was part of every cold start (bench/RESULTS.md, section 2).
/** One person or duty desk, the addresses it has, and which channel is primary and which secondary. */
export const contactSchema = () => builtSchemas().contact;
export type DirectoryContact = z.output<ReturnType<typeof contactSchema>>;

/** An organisation's directory entry: the body of PUT /directory/organizations/{org}. */
export const organizationSchema = () => builtSchemas().organization;
export type OrganizationEntry = z.output<ReturnType<typeof organizationSchema>>;

/** The events of an organisation's directory stream. */
export type OrganizationEvent =
  | { type: 'OrganizationRegistered'; data: { org: string; entry: OrganizationEntry } }
  | { type: 'OrganizationUpdated'; data: { org: string; entry: OrganizationEntry } }
  /** A new generation of the organisation's webhook signing key; the key itself is never recorded. */
  | { type: 'WebhookKeyRotated'; data: { org: string; generation: number } };

/**
 * How long a superseded webhook key keeps signing deliveries beside its successor: a receiver
 * switches to the new key at any moment within it and no delivery fails verification.
 */
export const WEBHOOK_KEY_OVERLAP_HOURS = 24;
/** At most this many keys sign one delivery (a burst of rotations keeps the newest). */
export const MAX_SIGNING_KEYS = 8;

/** One generation of an organisation's webhook signing key: its number and when it started signing. */
export interface WebhookKeyGeneration {
  readonly generation: number;
  readonly since: string;
}

/** The folded directory entry of one organisation. */
export interface OrganizationState {
  org: string;
  entry: OrganizationEntry;
  createdAt: string;
  updatedAt: string;
  version: number;
  /** The webhook key generations that still sign, oldest first (absent: never rotated, generation 0). */
  webhookKeys?: WebhookKeyGeneration[];
}
export type MaybeOrganization = OrganizationState | null;

/** Commands on a directory entry. `Seed` only fills a missing entry (the local stack's start). */
export type OrganizationCommand =
  | { type: 'PutOrganization'; data: { org: string; entry: OrganizationEntry } }
  | { type: 'SeedOrganization'; data: { org: string; entry: OrganizationEntry } }
  | { type: 'RotateWebhookKey'; data: { org: string } };

export const initialOrganization = (): MaybeOrganization => null;

/** Folds one directory event. */
export function evolveOrganization(
  state: MaybeOrganization,
  event: OrganizationEvent & { version: number; recordedAt: string },
): MaybeOrganization {
  switch (event.type) {
    case 'OrganizationRegistered':
      return {
        org: event.data.org,
        entry: event.data.entry,
        createdAt: event.recordedAt,
        updatedAt: event.recordedAt,
        version: event.version,
      };
    case 'OrganizationUpdated':
      if (state === null) return state;
      return { ...state, entry: event.data.entry, updatedAt: event.recordedAt, version: event.version };
    case 'WebhookKeyRotated': {
      if (state === null) return state;
      const added = [
        ...signingKeys(state.webhookKeys ?? [], event.recordedAt),
        { generation: event.data.generation, since: event.recordedAt },
      ];
      return { ...state, webhookKeys: added, updatedAt: event.recordedAt, version: event.version };
    }
    default: {
      const _never: never = event;
      return _never;
    }
  }
}

const sameEntry = (a: OrganizationEntry, b: OrganizationEntry) => JSON.stringify(a) === JSON.stringify(b);

/** Decides a directory change. Pure; an unchanged entry is a harmless repeat ([]). */
export function decideOrganization(
  command: OrganizationCommand,
  state: MaybeOrganization,
  ctx: { now: string; actor: Actor },
): OrganizationEvent[] {
  if (command.type === 'RotateWebhookKey') return decideRotation(command.data.org, state, ctx.actor);
  const { org, entry } = command.data;
  const parsed = organizationSchema().safeParse(entry);
  if (!parsed.success) {
    throw new ValidationError(
      'the directory entry is invalid',
      parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message })),
    );
  }
  switch (command.type) {
    case 'PutOrganization': {
      if (!hasRole(ctx.actor, 'secretariat'))
        throw new ForbiddenError('only the secretariat manages the directory');
      const own = visibleSectors(ctx.actor)[0] ?? DEFAULT_SECTOR;
      // Another sector's organisation is not there for this secretariat (404, never 403).
      if (state !== null && !canSeeEntry(ctx.actor, org, state.entry))
        throw new NotFoundError('no such organisation');
      if (parsed.data.sector !== undefined && parsed.data.sector !== own) {
        throw new ValidationError('the directory entry is invalid', [
          { path: 'sector', message: `must be your sector, ${own}` },
        ]);
      }
      // A chemical entry stays without the field, as entries were before sectors; others name theirs.
      const entry =
        parsed.data.sector === undefined && own !== DEFAULT_SECTOR
          ? { ...parsed.data, sector: own }
          : parsed.data;
      if (state === null) return [{ type: 'OrganizationRegistered', data: { org, entry } }];
      if (sameEntry(state.entry, entry)) return [];
      return [{ type: 'OrganizationUpdated', data: { org, entry } }];
    }
    case 'SeedOrganization':
      if (state !== null) return [];
      return [{ type: 'OrganizationRegistered', data: { org, entry: parsed.data } }];
    default: {
      const _never: never = command;
      return _never;
    }
  }
}

/**
 * A new webhook key generation, for the organisation's own member or the secretariat. Every
 * call starts one: the caller is answered the new key once, and no retry can replay it.
 */
function decideRotation(org: string, state: MaybeOrganization, actor: Actor): OrganizationEvent[] {
  const own = actor.kind === 'user' && actor.role === 'member' && actor.org === org;
  if (!own && !hasRole(actor, 'secretariat'))
    throw new ForbiddenError("only the organisation's own members or the secretariat rotate its webhook key");
  // Another sector's organisation is not there for this secretariat (404, never 403), as for PutOrganization.
  if (state === null || (!own && !canSeeEntry(actor, org, state.entry)))
    throw new NotFoundError('no such organisation');
  const generation = (state.webhookKeys?.at(-1)?.generation ?? 0) + 1;
  return [{ type: 'WebhookKeyRotated', data: { org, generation } }];
}

/**
 * The key generations that sign a delivery at `now`, oldest first: the newest, and each older
 * one until {@link WEBHOOK_KEY_OVERLAP_HOURS} after its successor started. Never rotated: none
 * (the deliverer signs with generation 0, which no one was ever given).
 */
export function signingKeys(keys: readonly WebhookKeyGeneration[], now: string): WebhookKeyGeneration[] {
  const at = Date.parse(now);
  const overlap = WEBHOOK_KEY_OVERLAP_HOURS * 3_600_000;
  const live = keys.filter((_, i) => {
    const next = keys[i + 1];
    return next === undefined || Date.parse(next.since) + overlap > at;
  });
  return live.slice(-MAX_SIGNING_KEYS);
}

/** The sector of a member's or a secretariat's entry; null for an organisation that spans sectors. */
export const entrySector = (entry: Pick<OrganizationEntry, 'kind' | 'sector'>): SectorId | null =>
  entry.kind === 'member' || entry.kind === 'secretariat' ? sectorOr(entry.sector) : null;

/** Whether an entry belongs to a sector: its members and secretariat (the ministry and NISC belong to none). */
export const entryInSector = (entry: Pick<OrganizationEntry, 'kind' | 'sector'>, sector: string): boolean =>
  entrySector(entry) === sector;

/**
 * Whether a caller may see an organisation's entry: a member's or a secretariat's when it sees that
 * sector; a ministry's when the ministry oversees a sector the caller sees; NISC's always.
 */
export function canSeeEntry(actor: Actor, org: string, entry: Pick<OrganizationEntry, 'kind' | 'sector'>) {
  const sector = entrySector(entry);
  if (sector !== null) return canSeeSector(actor, sector);
  if (entry.kind === 'nisc') return true;
  const ministry = ministryOfOrg(org);
  return ministry !== null && visibleSectors(actor).some((s) => ministryOf[s] === ministry);
}

/** The address a contact has for a channel, if any. */
export function addressOf(contact: DirectoryContact, channel: DirectoryChannel): string | undefined {
  return contact[addressField[channel]];
}
