import { activities, plans } from '../aggregates/activities.ts';
import { advisories, recipients } from '../aggregates/advisories.ts';
import { forks } from '../aggregates/advisory-forks.ts';
import { exercises } from '../aggregates/exercises.ts';
import { incidents } from '../aggregates/incidents.ts';
import { organizations } from '../aggregates/organizations.ts';
import { sectors } from '../aggregates/sectors.ts';
import { responses, surveys } from '../aggregates/surveys.ts';
import type { Aggregate, Folding } from '../store/command-runner.ts';

// biome-ignore lint/suspicious/noExplicitAny: a registry over aggregates of different state and event types
type AnyFolding = Folding<any, any>;
/** What projecting a head needs of an aggregate: its folding and its list keys. */
export type HeadProjector = AnyFolding & Pick<AnyAggregate, 'project' | 'streamType' | 'awaiting'>;
// biome-ignore lint/suspicious/noExplicitAny: as above
type AnyAggregate = Aggregate<any, any, never, never>;

/**
 * How each stream type is folded for replay. A new stream type (advisories, drills…) adds
 * its aggregate here; streams of a type missing here are still verified and listed, only
 * not folded into a state.
 */
export const auditFoldings: Readonly<Record<string, AnyFolding>> = {
  incident: incidents,
  advisory: advisories,
  'advisory-recipient': recipients,
  'advisory-fork': forks,
  organization: organizations,
  sector: sectors,
  exercise: exercises,
  activity: activities,
  plan: plans,
  survey: surveys,
  'survey-response': responses,
};

/** How each stream type's head is projected (projectHeads, run by stream-reactor): every aggregate. */
export const headProjectors: Readonly<Record<string, HeadProjector>> = {
  incident: incidents,
  advisory: advisories,
  'advisory-recipient': recipients,
  'advisory-fork': forks,
  organization: organizations,
  sector: sectors,
  exercise: exercises,
  activity: activities,
  plan: plans,
  survey: surveys,
  'survey-response': responses,
};

/** The stream type of a stream id (`incident#…` → `incident`). */
export const streamTypeOf = (streamId: string): string => streamId.split('#', 1)[0] ?? '';
