import type {
  DecideReReview,
  DecideReview,
  RecordReReviewRequest,
  RecordReviewRequest,
  TerminatePetition,
} from './petition.commands';
import type {
  PetitionReReviewDecided,
  PetitionReReviewRequested,
  PetitionReviewDecided,
  PetitionReviewRequested,
  PetitionTerminated,
} from './petition.events';
import type { Refusal } from '@casegrid/kernel';
import { actAt, dayOf, metadataOf, refuse } from './petition.guards';
import { openHearing } from './petition.hearings';
import { isWithin, PERIODS, periodEnd, type StatutoryCalendar } from './petition.periods';
import type { Petition, Stage } from './petition.state';

/**
 * The petitioner's request as an event's data and metadata. It is checked against when it
 * was received (`requestedAt`), not against when it is recorded: a letter that arrived on
 * the last day is in time. The decision is due 30 days after its receipt (Art 35, 36).
 */
function requested(
  command: RecordReviewRequest | RecordReReviewRequest,
  state: Petition,
  calendar: StatutoryCalendar,
  answered: { readonly at: string; readonly what: string },
  window: { readonly days: number; readonly article: string },
  late: Refusal,
): Pick<PetitionReviewRequested, 'data' | 'metadata'> {
  const { caseId, departmentId, grounds } = command.data;
  const requestedAt = actAt(
    'requestedAt',
    command.data.requestedAt,
    command.metadata.now,
    answered,
  );
  const end = periodEnd(calendar, answered.at, window.days);
  if (!isWithin(requestedAt, end)) {
    throw refuse(
      state,
      late,
      `the request of ${dayOf(requestedAt)} came after ${end.lastDay}, the last of the ${window.days} days ${window.article} allows from ${answered.what} (${dayOf(answered.at)})`,
    );
  }
  const decisionDueAt = periodEnd(calendar, requestedAt, window.days).dueAt.toISOString();
  return {
    data: { caseId, departmentId, grounds, requestedAt, decisionDueAt },
    metadata: metadataOf(command.metadata, requestedAt),
  };
}

/** 复查 (Art 35): within 30 days of the written reply, here the opinion's `issuedAt`. */
export function recordReviewRequest(
  command: RecordReviewRequest,
  state: Petition,
  calendar: StatutoryCalendar,
): PetitionReviewRequested[] {
  const article = PERIODS.review_request.article;
  if (state.status !== 'answered') {
    throw refuse(
      state,
      'review' in state ? 'petition.review_already_requested' : 'petition.no_opinion',
      'review' in state
        ? `a review was requested on ${dayOf(state.review.requestedAt)}; ${article} allows one review, after which re-review (信访工作条例 第三十六条) follows`
        : `${article} reviews a written opinion, and there is none`,
    );
  }
  const opinion = { at: state.opinion.at, what: 'the written opinion was issued' };
  const request = requested(
    command,
    state,
    calendar,
    opinion,
    PERIODS.review_request,
    'petition.review_window_closed',
  );
  return [{ type: 'PetitionReviewRequested', ...request }];
}

/** 复核 (Art 36): within 30 days of the review opinion. */
export function recordReReviewRequest(
  command: RecordReReviewRequest,
  state: Petition,
  calendar: StatutoryCalendar,
): PetitionReReviewRequested[] {
  const article = PERIODS.re_review_request.article;
  if (state.status !== 'reviewed') {
    throw refuse(
      state,
      'reReview' in state ? 'petition.re_review_already_requested' : 'petition.no_review_opinion',
      'reReview' in state
        ? `a re-review was requested on ${dayOf(state.reReview.requestedAt)}; ${article} allows one`
        : `${article} re-reviews a review opinion, and there is none`,
    );
  }
  const review = { at: state.review.decision.at, what: 'the review opinion was issued' };
  const request = requested(
    command,
    state,
    calendar,
    review,
    PERIODS.re_review_request,
    'petition.re_review_window_closed',
  );
  return [{ type: 'PetitionReReviewRequested', ...request }];
}

/**
 * A review or re-review opinion. Like the first opinion, a late one is still given (the
 * duty outlives the limit); the view marks it late.
 */
function decideStage(
  command: DecideReview | DecideReReview,
  stage: Stage,
): {
  caseId: string;
  departmentId: string;
  result: DecideReview['data']['result'];
  text: string;
  decidedAt: string;
} {
  const { caseId, departmentId, result, text } = command.data;
  const decidedAt = actAt('decidedAt', command.data.decidedAt, command.metadata.now, {
    at: stage.requestedAt,
    what: 'the request was received',
  });
  return { caseId, departmentId, result, text, decidedAt };
}

export function decideReview(command: DecideReview, state: Petition): PetitionReviewDecided[] {
  if (state.status !== 'under_review') {
    throw refuse(
      state,
      'petition.no_pending_review',
      `${PERIODS.review_decision.article} decides a pending review request`,
    );
  }
  const data = decideStage(command, state.review);
  return [
    { type: 'PetitionReviewDecided', data, metadata: metadataOf(command.metadata, data.decidedAt) },
  ];
}

export function decideReReview(
  command: DecideReReview,
  state: Petition,
): PetitionReReviewDecided[] {
  if (state.status !== 'under_re_review') {
    throw refuse(
      state,
      'petition.no_pending_re_review',
      `${PERIODS.re_review_decision.article} decides a pending re-review request`,
    );
  }
  const hearing = openHearing(state.reReview.hearings);
  if (hearing) {
    throw refuse(
      state,
      'petition.hearing_under_way',
      `its hearing of ${dayOf(hearing.startedAt)} is under way; the re-review is decided after it (信访工作条例 第三十六条第二款)`,
    );
  }
  const data = decideStage(command, state.reReview);
  return [
    {
      type: 'PetitionReReviewDecided',
      data,
      metadata: metadataOf(command.metadata, data.decidedAt),
    },
  ];
}

/** 终结 (Art 36¶3): only once the re-review has been decided. */
export function terminate(command: TerminatePetition, state: Petition): PetitionTerminated[] {
  if (state.status !== 're_reviewed') {
    throw refuse(
      state,
      'petition.no_re_review_opinion',
      '信访工作条例 第三十六条第三款 terminates a petition (终结) only after its re-review opinion',
    );
  }
  const { caseId, departmentId, basis } = command.data;
  const terminatedAt = actAt('terminatedAt', command.data.terminatedAt, command.metadata.now, {
    at: state.reReview.decision.at,
    what: 'the re-review opinion was issued',
  });
  return [
    {
      type: 'PetitionTerminated',
      data: { caseId, departmentId, basis, terminatedAt },
      metadata: metadataOf(command.metadata, terminatedAt),
    },
  ];
}
