import { elapsed } from '@casegrid/calendar';
import type { EndHearing, StartHearing } from './petition.commands';
import type { PetitionHearingEnded, PetitionHearingStarted } from './petition.events';
import { actAt, dayOf, metadataOf, refuse } from './petition.guards';
import { PERIODS, periodEnd, type StatutoryCalendar } from './petition.periods';
import type { Hearing, Petition } from './petition.state';

const ARTICLE = '信访工作条例 第三十六条第二款';

export const openHearing = (hearings: readonly Hearing[]): Hearing | undefined =>
  hearings.find((h) => h.endedAt === null);

/** A hearing pauses a pending re-review (Art 36¶2: 听证所需时间不计算在前款规定的期限内). */
export function startHearing(command: StartHearing, state: Petition): PetitionHearingStarted[] {
  if (state.status !== 'under_re_review') {
    throw refuse(
      state,
      'petition.no_pending_re_review',
      `${ARTICLE} pauses a pending re-review for a hearing, and there is none`,
    );
  }
  const open = openHearing(state.reReview.hearings);
  if (open) {
    throw refuse(
      state,
      'petition.hearing_under_way',
      `a hearing is under way since ${dayOf(open.startedAt)}; end it first`,
    );
  }
  const last = state.reReview.hearings.at(-1);
  const after = last?.endedAt
    ? { at: last.endedAt, what: 'the last hearing ended' }
    : { at: state.reReview.requestedAt, what: 'the re-review was requested' };
  const { caseId, departmentId, reason } = command.data;
  const startedAt = actAt('startedAt', command.data.startedAt, command.metadata.now, after);
  return [
    {
      type: 'PetitionHearingStarted',
      data: { caseId, departmentId, startedAt, reason },
      metadata: metadataOf(command.metadata, startedAt),
    },
  ];
}

/**
 * The hearing's calendar days (between its dates, as supervision counts a pause) are added
 * to the 30 days of the re-review.
 */
export function endHearing(
  command: EndHearing,
  state: Petition,
  calendar: StatutoryCalendar,
): PetitionHearingEnded[] {
  const open =
    state.status === 'under_re_review' ? openHearing(state.reReview.hearings) : undefined;
  if (state.status !== 'under_re_review' || open === undefined) {
    throw refuse(state, 'petition.no_hearing', `no hearing is under way (${ARTICLE})`);
  }
  const { caseId, departmentId } = command.data;
  const endedAt = actAt('endedAt', command.data.endedAt, command.metadata.now, {
    at: open.startedAt,
    what: 'the hearing started',
  });
  const days = elapsed(calendar, new Date(open.startedAt), new Date(endedAt), 'calendar_days');
  const excluded = state.reReview.hearings.reduce((sum, h) => sum + h.days, days);
  const period = PERIODS.re_review_decision.days + excluded;
  const decisionDueAt = periodEnd(calendar, state.reReview.requestedAt, period).dueAt.toISOString();
  return [
    {
      type: 'PetitionHearingEnded',
      data: { caseId, departmentId, endedAt, days, decisionDueAt },
      metadata: metadataOf(command.metadata, endedAt),
    },
  ];
}
