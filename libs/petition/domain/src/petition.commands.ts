import type { Command } from '@casegrid/kernel';
import type { AcceptanceDecision, DiversionChannel, OpinionResult } from './petition.events';

/**
 * `departmentId` is the caller's department (the lead petition office; the access policy
 * has checked that). Dates of acts (`decidedAt`, `issuedAt`…) are when the act was done on
 * paper; `null` means now. They are never in the future and never before what they answer.
 */
interface ByDepartment {
  readonly caseId: string;
  readonly departmentId: string;
}

/** `receivedAt` is intake's: the adapter reads it from the case directory. */
export type DecideAcceptance = Command<
  'DecideAcceptance',
  ByDepartment & {
    readonly receivedAt: string;
    readonly decision: AcceptanceDecision;
    readonly reason: string;
    readonly channel: DiversionChannel | null;
    readonly decidedAt: string | null;
  }
>;

export type ExtendHandling = Command<
  'ExtendHandling',
  ByDepartment & {
    readonly days: number;
    readonly reason: string;
    readonly approvedBy: string;
    readonly approvedAt: string | null;
  }
>;

export type IssueOpinion = Command<
  'IssueOpinion',
  ByDepartment & {
    readonly result: OpinionResult;
    readonly text: string;
    readonly issuedAt: string | null;
  }
>;

interface Request extends ByDepartment {
  readonly requestedAt: string;
  readonly grounds: string;
}
interface Decision extends ByDepartment {
  readonly result: OpinionResult;
  readonly text: string;
  readonly decidedAt: string | null;
}

export type RecordReviewRequest = Command<'RecordReviewRequest', Request>;
export type DecideReview = Command<'DecideReview', Decision>;
export type RecordReReviewRequest = Command<'RecordReReviewRequest', Request>;
export type DecideReReview = Command<'DecideReReview', Decision>;

/** 听证 during re-review (Art 36¶2). */
export type StartHearing = Command<
  'StartHearing',
  ByDepartment & { readonly reason: string; readonly startedAt: string | null }
>;
export type EndHearing = Command<'EndHearing', ByDepartment & { readonly endedAt: string | null }>;

export type TerminatePetition = Command<
  'TerminatePetition',
  ByDepartment & { readonly basis: string; readonly terminatedAt: string | null }
>;

export type PetitionCommand =
  | DecideAcceptance
  | ExtendHandling
  | IssueOpinion
  | RecordReviewRequest
  | DecideReview
  | RecordReReviewRequest
  | DecideReReview
  | StartHearing
  | EndHearing
  | TerminatePetition;
