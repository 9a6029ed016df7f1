import { lastDayOf } from './petition.guards';
import { PERIODS, periodEnd, type PeriodName, type StatutoryCalendar } from './petition.periods';
import type {
  Acceptance,
  Answer,
  Extension,
  Petition,
  PetitionStatus,
  Stage,
} from './petition.state';

/**
 * One statutory date the petition is bound by. The organ's duties (`party: organ`) are
 * running, paused (a re-review's hearing, Art 36¶2), met, late (done after the limit) or
 * overdue (not done, limit passed); the
 * petitioner's windows are open, used or lapsed.
 */
export interface StatutoryDate {
  readonly step: PeriodName;
  readonly article: string;
  readonly party: 'organ' | 'petitioner';
  /** The trigger; the period counts from the day after it. */
  readonly from: string;
  readonly days: number;
  readonly lastDay: string;
  /** 24:00 (+08:00) of `lastDay`. */
  readonly dueAt: string;
  readonly doneAt: string | null;
  readonly state: 'running' | 'paused' | 'met' | 'late' | 'overdue' | 'open' | 'used' | 'lapsed';
  /** A day of the period fell outside the loaded calendar years (weekends only known). */
  readonly calendarFallback: boolean;
}

export interface PetitionView {
  readonly caseId: string;
  readonly status: PetitionStatus | 'awaiting_acceptance';
  /**
   * What the file means for the ledger (the event contract supervision reads): diverted →
   * referred, not accepted or terminated → terminated, an opinion → resolved.
   */
  readonly outcome: 'resolved' | 'referred' | 'terminated' | null;
  readonly version: number;
  readonly receivedAt: string;
  readonly acceptance: Acceptance | null;
  readonly extension: Extension | null;
  readonly opinion: Answer | null;
  readonly review: Stage | null;
  readonly reReview: Stage | null;
  readonly termination: { readonly basis: string; readonly terminatedAt: string } | null;
  readonly statutoryDates: readonly StatutoryDate[];
}

const outcomeOf = (status: PetitionStatus): PetitionView['outcome'] => {
  switch (status) {
    case 'unopened':
    case 'accepted':
      return null;
    case 'diverted':
      return 'referred';
    case 'not_accepted':
    case 'terminated':
      return 'terminated';
    default:
      return 'resolved';
  }
};

export interface PetitionViewInput {
  readonly caseId: string;
  /** Intake's receivedAt (the case directory's, before any petition event exists). */
  readonly receivedAt: string;
  readonly state: Petition;
  readonly version: number;
  readonly now: Date;
  readonly calendar: StatutoryCalendar;
}

/** The petition file with every statutory date it is bound by (GET /cases/{id}/petition). */
export function petitionView(input: PetitionViewInput): PetitionView {
  const { state, calendar, now } = input;
  const date = (
    step: PeriodName,
    from: string,
    doneAt: string | null,
    extraDays = 0,
    carriedDueAt?: string,
  ): StatutoryDate => {
    const days = PERIODS[step].days + extraDays;
    const end = periodEnd(calendar, from, days);
    // A clock that started in an event keeps the end the event announced (supervision's).
    const dueAt = carriedDueAt ?? end.dueAt.toISOString();
    const party = step.endsWith('_request') ? 'petitioner' : 'organ';
    const due = new Date(dueAt).getTime();
    const done = doneAt === null ? undefined : new Date(doneAt).getTime();
    const passed = now.getTime() >= due;
    const state: StatutoryDate['state'] =
      party === 'organ'
        ? done === undefined
          ? passed
            ? 'overdue'
            : 'running'
          : done < due
            ? 'met'
            : 'late'
        : done !== undefined
          ? 'used'
          : passed
            ? 'lapsed'
            : 'open';
    return {
      step,
      article: PERIODS[step].article,
      party,
      from,
      days,
      lastDay: lastDayOf(dueAt),
      dueAt,
      doneAt,
      state,
      calendarFallback: end.fallback,
    };
  };

  const base = {
    caseId: input.caseId,
    version: input.version,
    receivedAt: input.receivedAt,
    acceptance: null,
    extension: null,
    opinion: null,
    review: null,
    reReview: null,
    termination: null,
    outcome: outcomeOf(state.status),
  };
  if (state.status === 'unopened') {
    return {
      ...base,
      status: 'awaiting_acceptance',
      statutoryDates: [date('petition_acceptance', input.receivedAt, null)],
    };
  }
  const dates = [date('petition_acceptance', state.receivedAt, state.acceptance.decidedAt)];
  const view = { ...base, status: state.status, acceptance: state.acceptance };
  if (state.status === 'not_accepted' || state.status === 'diverted') {
    return { ...view, statutoryDates: dates };
  }
  const opinion = 'opinion' in state ? state.opinion : null;
  dates.push(
    date(
      'petition_opinion',
      state.acceptance.decidedAt,
      opinion?.at ?? null,
      state.extension?.days ?? 0,
      state.opinionDueAt,
    ),
  );
  const review = 'review' in state ? state.review : null;
  const reReview = 'reReview' in state ? state.reReview : null;
  if (opinion) dates.push(date('review_request', opinion.at, review?.requestedAt ?? null));
  if (review) {
    dates.push(
      date(
        'review_decision',
        review.requestedAt,
        review.decision?.at ?? null,
        0,
        review.decisionDueAt,
      ),
    );
    if (review.decision) {
      dates.push(date('re_review_request', review.decision.at, reReview?.requestedAt ?? null));
    }
  }
  if (reReview) {
    const hearingDays = reReview.hearings.reduce((sum, h) => sum + h.days, 0);
    const decision = date(
      're_review_decision',
      reReview.requestedAt,
      reReview.decision?.at ?? null,
      hearingDays,
      reReview.decisionDueAt,
    );
    const paused = reReview.hearings.some((h) => h.endedAt === null);
    dates.push(paused ? { ...decision, state: 'paused' } : decision);
  }
  return {
    ...view,
    extension: state.extension,
    opinion,
    review,
    reReview,
    termination: state.status === 'terminated' ? state.termination : null,
    statutoryDates: dates,
  };
}
