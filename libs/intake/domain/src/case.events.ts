import type { Event } from '@casegrid/kernel';
import type { PersonalField } from '@casegrid/identity';

export const CASE_KINDS = ['dispute', 'petition'] as const;
export type CaseKind = (typeof CASE_KINDS)[number];
export const CHANNELS = ['window', 'hotline', 'online', 'letter', 'grid', 'transfer'] as const;
export type Channel = (typeof CHANNELS)[number];
export const URGENCIES = ['normal', 'urgent'] as const;
export type Urgency = (typeof URGENCIES)[number];
export const SEVERITIES = ['minor', 'major', 'complex'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const PARTY_ROLES = ['applicant', 'respondent', 'third_party'] as const;
export type PartyRole = (typeof PARTY_ROLES)[number];

/**
 * A party as events carry it: a reference to the person and their personal fields sealed
 * under that person's data key (`pd1.…`). No name, id number, phone or address ever
 * travels in clear (API.md, Events): erasing the person's key erases every copy.
 */
export interface Party {
  readonly partyId: string;
  readonly role: PartyRole;
  readonly personId: string;
  readonly personalData: string;
}

export interface Attachment {
  readonly name: string;
  readonly sha256: string;
  readonly size: number;
}

export type CaseRegistered = Event<
  'CaseRegistered',
  {
    readonly caseId: string;
    readonly number: string;
    readonly kind: CaseKind;
    readonly channel: Channel;
    readonly title: string;
    readonly description: string;
    readonly category: string;
    readonly regionCode: string;
    readonly urgency: Urgency;
    readonly severity: Severity;
    /** When the matter reached the centre: statutory clocks start here. */
    readonly receivedAt: string;
    readonly occurredAt: string | null;
    readonly parties: readonly Party[];
    readonly attachments: readonly Attachment[];
  }
>;

/**
 * The same applicant came back with the same matter (same id number, category and
 * village, within 90 days) while the case is open: recorded here, not routed again.
 */
export type RepeatSubmissionRecorded = Event<
  'RepeatSubmissionRecorded',
  {
    readonly caseId: string;
    readonly submissionCount: number;
    readonly channel: Channel;
    readonly title: string;
    readonly description: string;
    readonly receivedAt: string;
    readonly applicantPersonIds: readonly string[];
  }
>;

/** A dispatcher routed the case by hand to a lead department and its co-handlers. */
export type CaseDispatched = Event<
  'CaseDispatched',
  {
    readonly caseId: string;
    readonly leadDepartmentId: string;
    readonly coDepartmentIds: readonly string[];
    readonly note: string | null;
    /** A dispatcher by hand, or the routing engine at registration. */
    readonly by: 'manual' | 'rule';
    /** The routing rule that decided, and why (engine dispatches only). */
    readonly ruleId: string | null;
    readonly explanation: string | null;
  }
>;

/** No routing rule or no covering department: the township 综治中心's dispatcher decides. */
export type CaseAwaitingDispatch = Event<
  'CaseAwaitingDispatch',
  {
    readonly caseId: string;
    readonly reason: 'no_rule' | 'no_department';
    readonly explanation: string;
    /** The township whose dispatchers see it first. */
    readonly dispatcherRegionCode: string;
  }
>;

export const TRACKS = ['mediation', 'petition', 'direct'] as const;
export type Track = (typeof TRACKS)[number];
export const OUTCOMES = ['resolved', 'referred'] as const;
export type Outcome = (typeof OUTCOMES)[number];
export const REFERRALS = ['litigation', 'arbitration', 'administrative'] as const;
export type Referral = (typeof REFERRALS)[number];

/** The lead department signed for the case (签收) and chose how it will be handled. */
export type CaseAccepted = Event<
  'CaseAccepted',
  {
    readonly caseId: string;
    readonly departmentId: string;
    readonly track: Track;
    readonly handlerId: string;
  }
>;

/** The lead department sent it back before accepting (退单): the dispatcher decides again. */
export type CaseReturned = Event<
  'CaseReturned',
  { readonly caseId: string; readonly departmentId: string; readonly reason: string }
>;

/** Handoff to another department (移交): it must accept in turn. */
export type CaseTransferred = Event<
  'CaseTransferred',
  {
    readonly caseId: string;
    readonly fromDepartmentId: string;
    readonly toDepartmentId: string;
    readonly reason: string;
  }
>;

/** Handling moved to the covering department one tier up (上报): 小事不出村、大事不出镇、难事不出县. */
export type CaseEscalated = Event<
  'CaseEscalated',
  {
    readonly caseId: string;
    readonly fromDepartmentId: string;
    readonly toDepartmentId: string;
    readonly toRegionCode: string;
    readonly reason: string;
  }
>;

/** The outcome of the direct track; a referral ends the centre's handling (诉调对接). */
export type CaseResolved = Event<
  'CaseResolved',
  {
    readonly caseId: string;
    readonly departmentId: string;
    readonly outcome: Outcome;
    readonly summary: string;
    readonly referral: Referral | null;
  }
>;

/**
 * Supervision reopened a case that had its outcome here (CaseReopened): the lead
 * department handles it again on the same track, and must record a new outcome.
 */
export type CaseHandlingResumed = Event<
  'CaseHandlingResumed',
  { readonly caseId: string; readonly departmentId: string; readonly reason: string }
>;

/** Someone saw parties' personal data in clear: who (metadata.actor), which, why. */
export type PersonalDataRevealed = Event<
  'PersonalDataRevealed',
  {
    readonly caseId: string;
    readonly partyIds: readonly string[];
    readonly fields: readonly PersonalField[];
    readonly reason: string;
  }
>;

/** A party's person was erased: their sealed data in this case is unreadable from now on. */
export type PersonalDataErased = Event<
  'PersonalDataErased',
  {
    readonly caseId: string;
    readonly personId: string;
    readonly partyIds: readonly string[];
    readonly reason: string;
  }
>;

export type IntakeEvent =
  | CaseRegistered
  | RepeatSubmissionRecorded
  | CaseDispatched
  | CaseAwaitingDispatch
  | CaseAccepted
  | CaseReturned
  | CaseTransferred
  | CaseEscalated
  | CaseResolved
  | CaseHandlingResumed
  | PersonalDataRevealed
  | PersonalDataErased;
