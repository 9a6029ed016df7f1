import type { Event } from '@casegrid/kernel';

export const ACCEPTANCE_DECISIONS = ['accepted', 'not_accepted', 'diverted'] as const;
export type AcceptanceDecision = (typeof ACCEPTANCE_DECISIONS)[number];

/**
 * Where a diverted matter goes (诉访分离, 信访工作条例 Art 22¶2, 28¶2, 30, 31): litigation
 * (涉法涉诉, to the 政法部门), arbitration, administrative reconsideration (行政复议),
 * another administrative procedure (Art 31(4)), or discipline inspection (检举控告, Art 30).
 */
export const DIVERSION_CHANNELS = [
  'litigation',
  'arbitration',
  'administrative_reconsideration',
  'administrative',
  'discipline_inspection',
] as const;
export type DiversionChannel = (typeof DIVERSION_CHANNELS)[number];

/**
 * The three outcomes of 信访工作条例 Art 32: 予以支持 (supported), 解释说明 (reasonable but
 * without a legal basis: explained), 不予支持 (not supported). "Partially supported" is not
 * in the text: a partly founded claim is `supported` for the part that is supported, and
 * the opinion's text says which part, explaining (or refusing) the rest.
 */
export const OPINION_RESULTS = ['supported', 'explained', 'not_supported'] as const;
export type OpinionResult = (typeof OPINION_RESULTS)[number];

/** Every petition event names the department that acted, so supervision can attribute lateness. */
interface Acted {
  readonly caseId: string;
  readonly departmentId: string;
}

/**
 * 受理/不予受理/转入法定途径 (Art 22, 23, 44(3)). Accepted starts the 60-day opinion clock
 * (Art 34), whose end travels here; diverted names the legal channel.
 */
export type PetitionAcceptanceDecided = Event<
  'PetitionAcceptanceDecided',
  Acted & {
    readonly decision: AcceptanceDecision;
    readonly reason: string;
    readonly channel: DiversionChannel | null;
    readonly decidedAt: string;
    /** When the matter reached the centre (intake's receivedAt): the 15-day limit ran from it. */
    readonly receivedAt: string;
    /** Accepted only: the end of the 60-day handling period (Art 34). */
    readonly opinionDueAt: string | null;
  }
>;

/** Art 34: once, at most 30 days, approved by the head of the organ (本机关、单位负责人). */
export type PetitionExtended = Event<
  'PetitionExtended',
  Acted & {
    readonly days: number;
    readonly reason: string;
    readonly approvedBy: string;
    readonly approvedAt: string;
    /** The handling period's new end. */
    readonly opinionDueAt: string;
  }
>;

/** The 信访处理意见书 (Art 31(6), 32). */
export type PetitionOpinionIssued = Event<
  'PetitionOpinionIssued',
  Acted & { readonly result: OpinionResult; readonly text: string; readonly issuedAt: string }
>;

interface Requested extends Acted {
  /** When the petitioner's request was received (the window is checked against it). */
  readonly requestedAt: string;
  readonly grounds: string;
  /** 30 days from the request (Art 35, 36). */
  readonly decisionDueAt: string;
}

interface Decided extends Acted {
  readonly result: OpinionResult;
  readonly text: string;
  readonly decidedAt: string;
}

/** 复查 request (Art 35): within 30 days of the written reply. */
export type PetitionReviewRequested = Event<'PetitionReviewRequested', Requested>;
export type PetitionReviewDecided = Event<'PetitionReviewDecided', Decided>;
/** 复核 request (Art 36): within 30 days of the review opinion. */
export type PetitionReReviewRequested = Event<'PetitionReReviewRequested', Requested>;
export type PetitionReReviewDecided = Event<'PetitionReReviewDecided', Decided>;

/** A hearing (听证) during re-review: its time is not counted in the 30 days (Art 36¶2). */
export type PetitionHearingStarted = Event<
  'PetitionHearingStarted',
  Acted & { readonly startedAt: string; readonly reason: string }
>;

/** The hearing ended: the re-review decision is due later by the hearing's days. */
export type PetitionHearingEnded = Event<
  'PetitionHearingEnded',
  Acted & {
    readonly endedAt: string;
    /** Calendar days the hearing took (between its dates), added to the period. */
    readonly days: number;
    readonly decisionDueAt: string;
  }
>;

/** 终结 (Art 36¶3): after re-review, the same facts and reasons are not accepted again. */
export type PetitionTerminated = Event<
  'PetitionTerminated',
  Acted & { readonly basis: string; readonly terminatedAt: string }
>;

export type PetitionEvent =
  | PetitionAcceptanceDecided
  | PetitionExtended
  | PetitionOpinionIssued
  | PetitionReviewRequested
  | PetitionReviewDecided
  | PetitionReReviewRequested
  | PetitionReReviewDecided
  | PetitionHearingStarted
  | PetitionHearingEnded
  | PetitionTerminated;

export const PETITION_EVENT_TYPES: readonly PetitionEvent['type'][] = [
  'PetitionAcceptanceDecided',
  'PetitionExtended',
  'PetitionOpinionIssued',
  'PetitionReviewRequested',
  'PetitionReviewDecided',
  'PetitionReReviewRequested',
  'PetitionReReviewDecided',
  'PetitionHearingStarted',
  'PetitionHearingEnded',
  'PetitionTerminated',
];
