import type {
  AcceptanceDecision,
  DiversionChannel,
  OpinionResult,
  PetitionEvent,
} from './petition.events';

export interface Acceptance {
  readonly decision: AcceptanceDecision;
  readonly reason: string;
  readonly channel: DiversionChannel | null;
  readonly decidedAt: string;
  readonly departmentId: string;
}

export interface Extension {
  readonly days: number;
  readonly reason: string;
  readonly approvedBy: string;
  readonly approvedAt: string;
}

export interface Answer {
  readonly result: OpinionResult;
  readonly text: string;
  /** When it was issued (the opinion) or decided (a review). */
  readonly at: string;
  readonly departmentId: string;
}

/** A hearing (听证) of a re-review; its days are not counted (Art 36¶2). */
export interface Hearing {
  readonly startedAt: string;
  readonly reason: string;
  readonly endedAt: string | null;
  readonly days: number;
}

/** A review or re-review: the petitioner's request and, once given, the decision. */
export interface Stage {
  readonly requestedAt: string;
  readonly grounds: string;
  readonly decisionDueAt: string;
  readonly decision: Answer | null;
  /** Re-review only. */
  readonly hearings: readonly Hearing[];
}

interface Decided {
  readonly caseId: string;
  readonly receivedAt: string;
  readonly acceptance: Acceptance;
}
interface Accepted extends Decided {
  readonly opinionDueAt: string;
  readonly extension: Extension | null;
}
interface Answered extends Accepted {
  readonly opinion: Answer;
}
export interface DecidedStage extends Stage {
  readonly decision: Answer;
}
interface InReview extends Answered {
  readonly review: Stage;
}
interface Reviewed extends Answered {
  readonly review: DecidedStage;
}
interface InReReview extends Reviewed {
  readonly reReview: Stage;
}
interface ReReviewed extends Reviewed {
  readonly reReview: DecidedStage;
}

/**
 * The petition file, step by step as the 信访工作条例 prescribes: an acceptance decision
 * (Art 22, 23), the opinion within 60 days (Art 34), the petitioner's review (复查, Art 35)
 * and re-review (复核, Art 36), and termination (终结, Art 36¶3). Not accepted and diverted
 * end the file here; a supported opinion nobody asks to review stands.
 */
export type Petition =
  | { readonly status: 'unopened' }
  | (Decided & { readonly status: 'not_accepted' })
  | (Decided & { readonly status: 'diverted' })
  | (Accepted & { readonly status: 'accepted' })
  | (Answered & { readonly status: 'answered' })
  | (InReview & { readonly status: 'under_review' })
  | (Reviewed & { readonly status: 'reviewed' })
  | (InReReview & { readonly status: 'under_re_review' })
  | (ReReviewed & { readonly status: 're_reviewed' })
  | (ReReviewed & {
      readonly status: 'terminated';
      readonly termination: { readonly basis: string; readonly terminatedAt: string };
    });

export type PetitionStatus = Petition['status'];
export type OpenedPetition = Exclude<Petition, { status: 'unopened' }>;

export const initialState = (): Petition => ({ status: 'unopened' });

const answer = (data: {
  result: OpinionResult;
  text: string;
  decidedAt: string;
  departmentId: string;
}): Answer => ({
  result: data.result,
  text: data.text,
  at: data.decidedAt,
  departmentId: data.departmentId,
});

const stage = (data: { requestedAt: string; grounds: string; decisionDueAt: string }): Stage => ({
  requestedAt: data.requestedAt,
  grounds: data.grounds,
  decisionDueAt: data.decisionDueAt,
  decision: null,
  hearings: [],
});

/**
 * Never throws: an event that does not fit the state leaves it as it was, so an
 * inspector's replay of any recorded stream succeeds.
 */
export function evolve(state: Petition, event: PetitionEvent): Petition {
  switch (event.type) {
    case 'PetitionAcceptanceDecided': {
      if (state.status !== 'unopened') return state;
      const { caseId, receivedAt, decision, reason, channel, decidedAt, departmentId } = event.data;
      const acceptance = { decision, reason, channel, decidedAt, departmentId };
      const decided = { caseId, receivedAt, acceptance };
      if (decision === 'not_accepted') return { status: decision, ...decided };
      if (decision === 'diverted') return { status: decision, ...decided };
      const opinionDueAt = event.data.opinionDueAt ?? decidedAt;
      return { status: 'accepted', ...decided, opinionDueAt, extension: null };
    }
    case 'PetitionExtended': {
      if (state.status !== 'accepted') return state;
      const { days, reason, approvedBy, approvedAt, opinionDueAt } = event.data;
      return { ...state, opinionDueAt, extension: { days, reason, approvedBy, approvedAt } };
    }
    case 'PetitionOpinionIssued':
      return state.status === 'accepted'
        ? {
            ...state,
            status: 'answered',
            opinion: answer({ ...event.data, decidedAt: event.data.issuedAt }),
          }
        : state;
    case 'PetitionReviewRequested':
      return state.status === 'answered'
        ? { ...state, status: 'under_review', review: stage(event.data) }
        : state;
    case 'PetitionReviewDecided':
      return state.status === 'under_review'
        ? {
            ...state,
            status: 'reviewed',
            review: { ...state.review, decision: answer(event.data) },
          }
        : state;
    case 'PetitionReReviewRequested':
      return state.status === 'reviewed'
        ? { ...state, status: 'under_re_review', reReview: stage(event.data) }
        : state;
    case 'PetitionReReviewDecided':
      return state.status === 'under_re_review'
        ? {
            ...state,
            status: 're_reviewed',
            reReview: { ...state.reReview, decision: answer(event.data) },
          }
        : state;
    case 'PetitionHearingStarted': {
      if (state.status !== 'under_re_review') return state;
      const { startedAt, reason } = event.data;
      const hearing = { startedAt, reason, endedAt: null, days: 0 };
      return {
        ...state,
        reReview: { ...state.reReview, hearings: [...state.reReview.hearings, hearing] },
      };
    }
    case 'PetitionHearingEnded': {
      if (state.status !== 'under_re_review') return state;
      const { endedAt, days, decisionDueAt } = event.data;
      const hearings = state.reReview.hearings.map((h) =>
        h.endedAt === null ? { ...h, endedAt, days } : h,
      );
      return { ...state, reReview: { ...state.reReview, hearings, decisionDueAt } };
    }
    case 'PetitionTerminated':
      return state.status === 're_reviewed'
        ? {
            ...state,
            status: 'terminated',
            termination: { basis: event.data.basis, terminatedAt: event.data.terminatedAt },
          }
        : state;
    default:
      return state;
  }
}
