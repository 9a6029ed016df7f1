import type { RoutingDecision } from './routing';
import type { Command } from '@casegrid/kernel';
import type { PersonalField } from '@casegrid/identity';
import type {
  CaseRegistered,
  Outcome,
  Referral,
  RepeatSubmissionRecorded,
  Track,
} from './case.events';

/**
 * The adapter has allocated the number, sealed the parties and run the routing engine
 * (pure, over the rules and departments it read); the domain checks the rest.
 */
export type RegisterCase = Command<
  'RegisterCase',
  CaseRegistered['data'] & { readonly routing: RoutingDecision | null }
>;

export type RecordRepeatSubmission = Command<
  'RecordRepeatSubmission',
  Omit<RepeatSubmissionRecorded['data'], 'caseId' | 'submissionCount'>
>;

export type DispatchCase = Command<
  'DispatchCase',
  {
    readonly leadDepartmentId: string;
    readonly coDepartmentIds: readonly string[];
    readonly note: string | null;
  }
>;

/** `departmentId` is the caller's department: only the lead accepts, returns or resolves. */
export type AcceptCase = Command<
  'AcceptCase',
  { readonly departmentId: string; readonly track: Track; readonly handlerId: string }
>;
export type ReturnCase = Command<
  'ReturnCase',
  { readonly departmentId: string; readonly reason: string }
>;
export type TransferCase = Command<
  'TransferCase',
  { readonly toDepartmentId: string; readonly reason: string }
>;
/** The adapter has found the covering department one tier up (`toDepartmentId`, `toRegionCode`). */
export type EscalateCase = Command<
  'EscalateCase',
  { readonly toDepartmentId: string; readonly toRegionCode: string; readonly reason: string }
>;
export type ResolveCase = Command<
  'ResolveCase',
  {
    readonly departmentId: string;
    readonly outcome: Outcome;
    readonly summary: string;
    readonly referral: Referral | null;
  }
>;

export type RecordPersonalDataReveal = Command<
  'RecordPersonalDataReveal',
  {
    readonly partyIds: readonly string[];
    readonly fields: readonly PersonalField[];
    readonly reason: string;
  }
>;

export type RecordPersonalDataErasure = Command<
  'RecordPersonalDataErasure',
  { readonly personId: string; readonly reason: string }
>;

/**
 * Supervision reopened the case (an unsatisfied follow-up, or a supervisor): the holder
 * handles it again. Issued by intake's consumer of supervision's CaseReopened.
 */
export type ResumeHandling = Command<'ResumeHandling', { readonly reason: string }>;

export type IntakeCommand =
  | ResumeHandling
  | RegisterCase
  | RecordRepeatSubmission
  | DispatchCase
  | AcceptCase
  | ReturnCase
  | TransferCase
  | EscalateCase
  | ResolveCase
  | RecordPersonalDataReveal
  | RecordPersonalDataErasure;
