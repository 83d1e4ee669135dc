import type { ComponentChildren } from 'preact';
import type { HopProgress } from '../../../events/incident/incident.ts';
import type { IncidentView } from '../api.ts';
import { lang, useT } from '../i18n/lang.ts';
import { useStore } from '../store.ts';
import { TimeLeft, useFormatTime } from './ui.tsx';

type HopName = 'secretariat' | 'member' | 'ministry' | 'nisc';

/** Each hop of the upward relay, in order, with its deadline, time left, completion and escalations. */
export function HopTimeline(props: { incident: IncidentView; now: number }) {
  const t = useT();
  const { incident } = props;
  const order: HopName[] = [
    'secretariat',
    ...(incident.hops.member ? (['member'] as const) : []),
    'ministry',
    'nisc',
  ];
  return (
    <ol class="timeline">
      {order.map((name) => {
        const hop = incident.hops[name];
        if (!hop) return null;
        // A returned report's secretariat hop is done, but a resubmission starts it again: "current" wins.
        return <HopItem key={name} label={t(`hop.${name}`)} hop={hop} now={props.now} />;
      })}
    </ol>
  );
}

/**
 * The incident's reporting stages (第一報, 続報, 最終報, or its preset's): each one's clock, the reminders the
 * member was sent before its deadline and its escalation after it, and what is due next.
 */
export function StageClocks(props: { incident: IncidentView; now: number }) {
  const t = useT();
  const time = useFormatTime();
  const current = useStore(lang);
  const { stages, nextStage, preset } = props.incident;
  return (
    <>
      <h2>{t('incident.stages', { preset })}</h2>
      {nextStage?.dueAt && (
        <p>{t('incident.stages.next', { stage: nextStage.names[current], time: time(nextStage.dueAt) })}</p>
      )}
      <ol class="timeline stages">
        {stages.map((stage) => {
          const state = stage.status === 'done' ? 'done' : stage.status === 'waiting' ? 'pending' : 'current';
          return (
            <li
              key={stage.id}
              class={`hop hop-${state}`}
              aria-current={nextStage?.id === stage.id ? 'step' : undefined}
            >
              <div class="hop-head">
                <span class="hop-name">{stage.names[current]}</span>
                <span class={`hop-state hop-state-${state}`}>{t(`stage.status.${stage.status}`)}</span>
                {stage.onTime === false && <span class="badge escalation">{t('stage.late')}</span>}
              </div>
              {stage.dueAt && (
                <div class="hop-line">
                  {t('hop.due', { time: time(stage.dueAt) })}
                  {stage.submittedAt === null && (
                    <>
                      {' · '}
                      <TimeLeft dueAt={stage.dueAt} now={props.now} />
                    </>
                  )}
                </div>
              )}
              {stage.submittedAt && (
                <div class="hop-line">{t('stage.submitted', { time: time(stage.submittedAt) })}</div>
              )}
              {stage.reminded.length > 0 && (
                <div class="hop-line stage-reminded">
                  {t('stage.reminded', { times: stage.reminded.map((at) => time(at)).join(', ') })}
                </div>
              )}
              {stage.escalatedAt && (
                <div class="hop-line">
                  <span class="badge escalation">
                    {t('stage.escalated', { time: time(stage.escalatedAt) })}
                  </span>
                </div>
              )}
            </li>
          );
        })}
      </ol>
    </>
  );
}

/**
 * One hop on a timeline (the relay's, or an advisory's forwarding chain): its state, start, deadline with
 * time left, completion, note and escalations; `badges` add to its head.
 */
export function HopItem(props: { label: string; hop: HopProgress; now: number; badges?: ComponentChildren }) {
  const t = useT();
  const time = useFormatTime();
  const { hop } = props;
  const state = hop.doneAt ? 'done' : hop.startedAt ? 'current' : 'pending';
  return (
    <li class={`hop hop-${state}`} aria-current={state === 'current' ? 'step' : undefined}>
      <div class="hop-head">
        <span class="hop-name">{props.label}</span>
        <span class={`hop-state hop-state-${state}`}>{t(`hop.state.${state}`)}</span>
        {hop.escalations.length > 0 && (
          <span class="badge escalation">{t('hop.escalations', { n: hop.escalations.length })}</span>
        )}
        {props.badges}
      </div>
      {hop.startedAt && <div class="hop-line">{t('hop.started', { time: time(hop.startedAt) })}</div>}
      {hop.dueAt && !hop.doneAt && (
        <div class="hop-line">
          {t('hop.due', { time: time(hop.dueAt) })} · <TimeLeft dueAt={hop.dueAt} now={props.now} />
        </div>
      )}
      {hop.doneAt && (
        <div class="hop-line">{t('hop.doneAt', { time: time(hop.doneAt), by: hop.doneBy ?? '' })}</div>
      )}
      {hop.note && <div class="hop-line hop-note">{hop.note}</div>}
      {hop.escalations.length > 0 && (
        <ul class="escalations">
          {hop.escalations.map((e) => (
            <li key={e.escalation}>
              {t('hop.escalation', { time: time(e.at), n: e.escalation, next: time(e.nextDueAt) })}
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}
