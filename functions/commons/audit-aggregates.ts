import { activities, plans } from './activities.ts';
import { advisories, recipients } from './advisories.ts';
import { forks } from './advisory-forks.ts';
import type { Aggregate, Folding } from './command-runner.ts';
import { exercises } from './exercises.ts';
import { incidents } from './incidents.ts';
import { organizations } from './organizations.ts';
import { sectors } from './sectors.ts';
import { responses, surveys } from './surveys.ts';

// biome-ignore lint/suspicious/noExplicitAny: a registry over aggregates of different state and event types
type AnyFolding = Folding<any, any>;
/** What projecting a head needs of an aggregate: its folding and its list keys. */
// biome-ignore lint/suspicious/noExplicitAny: as above
export type HeadProjector = Folding<any, any> &
  Pick<Aggregate<any, any, never, never>, 'project' | 'streamType' | 'awaiting'>;

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
