import type { AdvisoryEvent, AdvisoryState, ForwardHop } from '../../events/advisory/advisory.ts';
import { pendingHop } from '../../events/advisory/advisory.ts';
import {
  currentHop,
  type IncidentEvent,
  type IncidentState,
  type Recorded,
} from '../../events/incident/incident.ts';
import { stageWaitStale, stageWorkPending } from '../../events/incident/stage-alarms.ts';
import type { Hop } from '../../events/policy.ts';
import { type SurveyEvent, type SurveyState, surveyWaitToEnd } from '../../events/survey/survey.ts';
import type { RelayWorkflow } from '../workflow/workflow.ts';

// The workflow reactions (stream-reactor), apart from the messages (stream-notifier, reactions.ts and
// advisory-reactions.ts): this module needs neither the directory, the templates nor the link signing.

/** The hop whose wait an event ends, if any. */
function hopEndedBy(event: Recorded<IncidentEvent>): Hop | null {
  switch (event.type) {
    case 'RelayApproved':
    case 'RelayReturned':
      return 'secretariat';
    case 'FollowUpAdded':
      return event.data.resubmitted ? 'member' : null;
    case 'ReceiptAcknowledged':
      return event.data.hop;
    case 'RelayWaitStarted':
      return event.data.hop;
    default:
      return null;
  }
}

/**
 * The workflow half of the reactions to one committed incident event: starts the relay workflow,
 * resumes a wait whose hop is done. Safe to run more than once for the same event.
 */
export async function advanceIncidentWorkflow(
  event: Recorded<IncidentEvent>,
  state: IncidentState,
  workflow: RelayWorkflow,
): Promise<void> {
  if (event.type === 'IncidentReported') await workflow.start(state.id, { incidentId: state.id });
  if (state.restartAt === event.version) {
    await workflow.start(`${state.id}-v${event.version}`, { incidentId: state.id });
  }
  const ended = hopEndedBy(event);
  const wait = ended ? state.waits[ended] : undefined;
  if (ended && wait && currentHop(state.status) !== ended) {
    await workflow.resume(wait.taskToken, { incidentId: state.id, hop: ended, version: state.version });
  }
}

/**
 * The stage-alarm half of the reactions to one committed incident event: the report starts the
 * workflow of its reporting stages (named after the incident, so a redelivered event starts none)
 * when it has stage work that could ever alarm: none for a cross-sector exercise's scripted incident,
 * nor for one whose preset has no stage clock (stageWorkPending, as local recovery asks);
 * a follow-up (a stage submitted, a ransom payment stated), the closure, or a wait recorded after
 * such an event answers the workflow's wait when it was planned on what the log no longer says, so
 * the workflow plans again. Safe to run more than once for the same event.
 */
export async function advanceStageWorkflow(
  event: Recorded<IncidentEvent>,
  state: IncidentState,
  workflow: RelayWorkflow,
): Promise<void> {
  if (event.type === 'IncidentReported' && stageWorkPending(state)) {
    await workflow.start(state.id, { stagesOf: state.id });
  }
  const replan =
    event.type === 'FollowUpAdded' || event.type === 'IncidentClosed' || event.type === 'StageWaitStarted';
  if (replan && state.stageWait && stageWaitStale(state)) {
    await workflow.resume(state.stageWait.taskToken, { stagesOf: state.id, version: state.version });
  }
}

/** The forward hop whose wait an event ends, if any. */
function forwardEndedBy(event: Recorded<AdvisoryEvent>): ForwardHop | null {
  if (event.type === 'AdvisoryForwarded') return event.data.hop;
  if (
    event.type === 'AdvisoryWaitStarted' &&
    (event.data.wait === 'ministry' || event.data.wait === 'secretariat')
  ) {
    return event.data.wait;
  }
  return null;
}

/**
 * The workflow half of the reactions to one committed advisory event: starts the advisory workflow,
 * resumes a wait whose hop forwarded. Safe to run more than once for the same event.
 */
export async function advanceAdvisoryWorkflow(
  event: Recorded<AdvisoryEvent>,
  state: AdvisoryState,
  workflow: RelayWorkflow,
): Promise<void> {
  if (event.type === 'AdvisoryIssued') await workflow.start(state.id, { advisoryId: state.id });
  if (state.restartAt === event.version) {
    await workflow.start(`${state.id}-v${event.version}`, { advisoryId: state.id });
  }
  const ended = forwardEndedBy(event);
  const wait = ended ? state.waits[ended] : undefined;
  if (ended && wait && pendingHop(state.status) !== ended) {
    await workflow.resume(wait.taskToken, { advisoryId: state.id, hop: ended, version: state.version });
  }
}

/**
 * The workflow half of the reactions to one committed survey event: the issue starts the survey's
 * workflow (its timer until the reminders are due); the close, or a wait recorded after it, answers
 * the recorded wait, so the execution plans again and ends. Safe to run more than once for the same
 * event: a token already answered or timed out is 'gone'.
 */
export async function advanceSurveyWorkflow(
  event: Recorded<SurveyEvent>,
  state: SurveyState,
  workflow: RelayWorkflow,
): Promise<void> {
  if (event.type === 'SurveyIssued') await workflow.start(state.id, { surveyId: state.id });
  const token = surveyWaitToEnd(state);
  if ((event.type === 'SurveyClosed' || event.type === 'SurveyWaitStarted') && token !== null)
    await workflow.resume(token, { surveyId: state.id, closed: true, version: event.version });
}
