import type { Command } from '@casegrid/kernel';
import type { MediationReferral, MediationType } from './mediation.events';

/**
 * `departmentId` is always the caller's department (the mediation body acting); the
 * adapter has checked that the mediators are mediators of it and found its type.
 */
export type OpenMediation = Command<
  'OpenMediation',
  {
    readonly caseId: string;
    readonly departmentId: string;
    /** The body's department type (API.md, Department), for the 三调联动 check. */
    readonly departmentType: string;
    readonly type: MediationType;
    readonly mediatorIds: readonly string[];
  }
>;

export type RecordSession = Command<
  'RecordSession',
  {
    readonly departmentId: string;
    readonly heldAt: string;
    readonly location: string;
    readonly attendees: readonly string[];
    readonly notes: string;
  }
>;

export type RecordAgreement = Command<
  'RecordAgreement',
  {
    readonly departmentId: string;
    readonly terms: string;
    readonly signedAt: string;
    readonly performanceDueAt: string | null;
  }
>;

export type RecordFailure = Command<
  'RecordFailure',
  { readonly departmentId: string; readonly reason: string; readonly referral: MediationReferral }
>;

export type RequestJudicialConfirmation = Command<
  'RequestJudicialConfirmation',
  { readonly departmentId: string; readonly court: string; readonly requestedAt: string }
>;

export type RecordJudicialDecision = Command<
  'RecordJudicialDecision',
  { readonly departmentId: string; readonly confirmed: boolean; readonly decidedAt: string }
>;

/** The adapter has found the mediation body one tier up (`toDepartmentId`, `toRegionCode`). */
export type EscalateMediation = Command<
  'EscalateMediation',
  {
    readonly departmentId: string;
    readonly toDepartmentId: string;
    readonly toRegionCode: string;
    readonly reason: string;
  }
>;

export type MediationCommand =
  | OpenMediation
  | RecordSession
  | RecordAgreement
  | RecordFailure
  | RequestJudicialConfirmation
  | RecordJudicialDecision
  | EscalateMediation;
