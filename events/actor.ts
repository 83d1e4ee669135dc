import type { SectorId } from './sector/catalog.ts';

/** Roles of the people and systems that act on the relay. */
export const roles = ['member', 'secretariat', 'ministry', 'nisc', 'auditor'] as const;
export type Role = (typeof roles)[number];

/** Who did something: a signed-in person (from the token's claims) or the system itself. */
export type Actor =
  | {
      readonly kind: 'user';
      readonly sub: string;
      readonly role: Role;
      readonly org?: string;
      /** The token's sector (`custom:sector`); none is chemical for a member or secretariat, every sector for NISC or an auditor. */
      readonly sector?: SectorId;
    }
  | { readonly kind: 'system'; readonly sub: string };

/** The actor recorded for workflow steps and stream reactions. */
export const systemActor = (component: string): Actor => ({ kind: 'system', sub: `system:${component}` });

/** True when the actor is a signed-in user with one of the roles. */
export const hasRole = (actor: Actor, ...allowed: Role[]): boolean =>
  actor.kind === 'user' && allowed.includes(actor.role);
