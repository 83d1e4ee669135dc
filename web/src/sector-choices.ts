import { DEFAULT_SECTOR, METI_ORG } from '../../events/sector/catalog.ts';
import type { ConsoleConfig, OrgName, SectorName } from './config.ts';
import type { Role, Session } from './session.ts';

/** What the local sign-in offers: the seeded sectors, their members by sector, and the ministries. */
export interface SignInChoices {
  readonly sectors: readonly SectorName[];
  /** Members by sector: chemical's first (the demo's), then in the sectors' order. */
  readonly members: readonly { readonly sector: string; readonly orgs: readonly OrgName[] }[];
  /** The ministries' organisations, METI's first. */
  readonly ministries: readonly OrgName[];
}

/**
 * The sector the console is titled with for who is signed in (brand.ts): a member's or secretariat's own
 * (a token without one is chemical's, as the API reads it). A ministry, NISC and an auditor work across
 * sectors: the console then carries the deployment's own title, whatever sector a token narrows them to.
 */
export function brandSector(session: Pick<Session, 'role' | 'sector'> | null): string | null {
  if (session === null) return null;
  return session.role === 'member' || session.role === 'secretariat'
    ? (session.sector ?? DEFAULT_SECTOR)
    : null;
}

/** The organisation a session speaks for: its own, or METI's for a ministry token that names none (as the API reads it). */
export const sessionOrg = (session: Pick<Session, 'role' | 'org'>): string | undefined =>
  session.org ?? (session.role === 'ministry' ? METI_ORG : undefined);

const sectorOf = (org: OrgName) => org.sector ?? DEFAULT_SECTOR;

/** The local sign-in's choices from config.json (a config without sectors offers chemical's members alone, as before). */
export function signInChoices(config: Pick<ConsoleConfig, 'organisations' | 'sectors'>): SignInChoices {
  const order = [DEFAULT_SECTOR, ...config.sectors.map((s) => s.id).filter((id) => id !== DEFAULT_SECTOR)];
  const rank = (sector: string) => {
    const i = order.indexOf(sector);
    return i === -1 ? order.length : i;
  };
  const bySector = new Map<string, OrgName[]>();
  for (const org of config.organisations) {
    if (org.kind !== 'member') continue;
    bySector.set(sectorOf(org), [...(bySector.get(sectorOf(org)) ?? []), org]);
  }
  const members = [...bySector.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))
    .map(([sector, orgs]) => ({ sector, orgs }));
  const ministries = config.organisations
    .filter((o) => o.kind === 'ministry')
    .sort((a, b) => Number(b.id === METI_ORG) - Number(a.id === METI_ORG));
  return { sectors: config.sectors, members, ministries };
}

/** What the sign-in form holds when it is sent. */
export interface SignInForm {
  readonly role: Role;
  /** The member organisation chosen. */
  readonly org: string;
  /** The secretariat's sector. */
  readonly sector: string;
  /** The ministry's organisation. */
  readonly ministry: string;
  /** NISC's or the auditor's one sector; '' for every sector. */
  readonly scope: string;
}

/**
 * The POST /local/token request for the form: a member by its organisation (the stack gives its sector),
 * a secretariat by its sector, a ministry by its organisation, NISC and an auditor by the one sector
 * they are limited to, if any (none: every sector).
 */
export function tokenRequestOf(
  choices: SignInChoices,
  form: SignInForm,
): { role: Role; org?: string; sector?: string } {
  switch (form.role) {
    case 'member':
      return { role: 'member', org: form.org };
    case 'secretariat':
      return { role: 'secretariat', sector: form.sector || DEFAULT_SECTOR };
    case 'ministry':
      // METI is what a ministry token without an organisation speaks for (the CLI's `--role ministry`).
      return form.ministry !== METI_ORG && choices.ministries.some((m) => m.id === form.ministry)
        ? { role: 'ministry', org: form.ministry }
        : { role: 'ministry' };
    case 'nisc':
    case 'auditor':
      return form.scope ? { role: form.role, sector: form.scope } : { role: form.role };
    default: {
      const never: never = form.role;
      return never;
    }
  }
}
