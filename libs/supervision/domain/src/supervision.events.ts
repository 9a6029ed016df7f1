import type { Obligation, Period, PeriodUnit } from '@casegrid/deadlines';

/** The tiers that supervise (提级督办 raises it one at a time, up to the city). */
export const SUPERVISION_LEVELS = ['none', 'township', 'county', 'city'] as const;
export type SupervisionLevel = (typeof SUPERVISION_LEVELS)[number];

export interface ClockPause {
  readonly from: string;
  readonly to: string | null;
  readonly reason: string;
  readonly approvedBy: string | null;
  /** Paused time in the clock's unit, added to its period on resume. */
  readonly length: number | null;
  readonly by: string;
}

export interface ClockExtension {
  readonly at: string;
  readonly length: number;
  readonly unit: PeriodUnit;
  readonly reason: string;
  readonly approvedBy: string | null;
  readonly by: string;
}

/** Why a clock's due time is what it is (API.md `deadlines[].basis`). */
export interface ClockBasis {
  readonly policy: string;
  readonly policyVersion: number;
  readonly policyName: string;
  readonly article: string | null;
  readonly note: string;
  readonly unit: PeriodUnit;
  readonly length: number;
  readonly calendarVersion: string;
  /** Counted on weekends alone for a year whose calendar is not loaded. */
  readonly calendarFallback: boolean;
  /** The event that started it. */
  readonly startedBy: string;
  /** The due time the starting event named (a supervision order's), used instead of the period. */
  readonly eventDueAt: string | null;
  readonly pauses: readonly ClockPause[];
  readonly extensions: readonly ClockExtension[];
}

/** The rules of the policy version a clock started under: later policy changes do not touch it. */
export interface ClockRules {
  readonly stopOn: readonly string[];
  readonly pauseOn: readonly string[];
  readonly resumeOn: readonly string[];
  readonly extendOn: readonly string[];
  readonly warnBefore: Period;
  readonly extension: { readonly maxTimes: number; readonly maxTotal: Period | null };
}

export interface DeadlineStartedData {
  readonly caseId: string;
  readonly clockId: string;
  readonly obligation: Obligation;
  /** The department that holds the obligation (null: the dispatchers of the region). */
  readonly departmentId: string | null;
  readonly holderRole: 'lead' | 'co' | 'order' | 'dispatcher' | 'supervisor';
  readonly orderId: string | null;
  readonly startedAt: string;
  readonly dueAt: string;
  readonly warnAt: string;
  readonly basis: ClockBasis;
  readonly rules: ClockRules;
}

export interface DeadlineApproachingData {
  readonly caseId: string;
  readonly clockId: string;
  readonly obligation: Obligation;
  readonly departmentId: string | null;
  readonly dueAt: string;
}

export interface DeadlineBreachedData {
  readonly caseId: string;
  readonly clockId: string;
  readonly obligation: Obligation;
  readonly departmentId: string | null;
  /** Who held the case when it breached, and since when (责任倒查). */
  readonly handlerId: string | null;
  readonly heldSince: string | null;
  readonly dueAt: string;
  readonly policy: string;
  readonly article: string | null;
}

export interface DeadlineMetData {
  readonly caseId: string;
  readonly clockId: string;
  readonly obligation: Obligation;
  readonly departmentId: string | null;
  readonly metAt: string;
  /** The event that stopped it. */
  readonly stoppedBy: string;
  /** Stopped after its due time (it had breached, or breached in the same instant). */
  readonly late: boolean;
}

export interface DeadlinePausedData {
  readonly caseId: string;
  readonly clockId: string;
  readonly at: string;
  readonly reason: string;
  readonly approvedBy: string | null;
  readonly by: string;
}

export interface DeadlineResumedData {
  readonly caseId: string;
  readonly clockId: string;
  readonly at: string;
  readonly pausedLength: number;
  readonly dueAt: string;
  readonly warnAt: string;
  readonly by: string;
}

export interface DeadlineExtendedData {
  readonly caseId: string;
  readonly clockId: string;
  readonly extension: ClockExtension;
  readonly dueAt: string;
  readonly warnAt: string;
}

/** The reference change that moved a clock (a calendar year, or a policy applied to running clocks). */
export type RescheduleReason =
  | { readonly kind: 'calendar'; readonly year: number; readonly version: number }
  | { readonly kind: 'deadline_policy'; readonly code: string; readonly version: number };

/**
 * A running clock counted again after a change of reference data: a calendar year loaded or
 * corrected, or a policy change an administrator applied to running clocks. The basis and
 * rules are the clock's as they now stand; the previous times say what moved.
 */
export interface DeadlineRescheduledData {
  readonly caseId: string;
  readonly clockId: string;
  readonly obligation: Obligation;
  readonly departmentId: string | null;
  readonly previousDueAt: string;
  readonly dueAt: string;
  readonly previousWarnAt: string;
  readonly warnAt: string;
  readonly reason: RescheduleReason;
  readonly basis: ClockBasis;
  readonly rules: ClockRules;
}

export interface SupervisionEscalatedData {
  readonly caseId: string;
  readonly fromLevel: SupervisionLevel;
  readonly level: Exclude<SupervisionLevel, 'none'>;
  /** The region whose supervisors now supervise the case. */
  readonly supervisingRegionCode: string;
  readonly clockIds: readonly string[];
  readonly departmentId: string | null;
  readonly reason: string;
  /** When it is raised again if still overdue; null at the city. */
  readonly nextEscalationAt: string | null;
}

export interface NoticeIssuedData {
  readonly caseId: string;
  readonly noticeId: string;
  readonly regionCode: string;
  readonly departmentId: string | null;
  readonly clockIds: readonly string[];
  readonly obligations: readonly Obligation[];
  readonly text: string;
}

export interface SupervisionOrderIssuedData {
  readonly caseId: string;
  readonly orderId: string;
  readonly responsibleLeader: string;
  readonly responsibleDepartmentId: string;
  readonly dueAt: string;
  readonly instructions: string;
  readonly issuedBy: string;
}

export const FOLLOW_UP_METHODS = ['phone', 'visit', 'sms', 'online'] as const;
export type FollowUpMethod = (typeof FOLLOW_UP_METHODS)[number];
export const SATISFACTIONS = ['satisfied', 'basically_satisfied', 'unsatisfied'] as const;
export type Satisfaction = (typeof SATISFACTIONS)[number];

export interface FollowUpRecordedData {
  readonly caseId: string;
  readonly followUpId: string;
  readonly method: FollowUpMethod;
  readonly satisfaction: Satisfaction;
  readonly notes: string;
  readonly recordedBy: string;
  /** The outcome visited: resolved, referred or terminated (the resolution rate reads it). */
  readonly outcome: string;
}

export interface CaseClosedData {
  readonly caseId: string;
  readonly note: string;
  readonly closedBy: string;
}

export interface CaseReopenedData {
  readonly caseId: string;
  readonly reason: string;
  readonly cause: 'follow_up' | 'supervisor';
  readonly reopenedBy: string;
}

/** supervision's events and their data (API.md, Events). */
export interface SupervisionEventData {
  readonly DeadlineStarted: DeadlineStartedData;
  readonly DeadlineApproaching: DeadlineApproachingData;
  readonly DeadlineBreached: DeadlineBreachedData;
  readonly DeadlineMet: DeadlineMetData;
  readonly DeadlinePaused: DeadlinePausedData;
  readonly DeadlineResumed: DeadlineResumedData;
  readonly DeadlineExtended: DeadlineExtendedData;
  readonly DeadlineRescheduled: DeadlineRescheduledData;
  readonly SupervisionEscalated: SupervisionEscalatedData;
  readonly NoticeIssued: NoticeIssuedData;
  readonly SupervisionOrderIssued: SupervisionOrderIssuedData;
  readonly FollowUpRecorded: FollowUpRecordedData;
  readonly CaseClosed: CaseClosedData;
  readonly CaseReopened: CaseReopenedData;
}

export type SupervisionEventType = keyof SupervisionEventData;

/** An event supervision decided, before it is recorded (the adapter adds id, time, version). */
export type SupervisionEvent = {
  [T in SupervisionEventType]: { readonly type: T; readonly data: SupervisionEventData[T] };
}[SupervisionEventType];

/** The clock engine's own output: the events that never start or stop a clock themselves. */
export const CLOCK_EVENT_TYPES: readonly SupervisionEventType[] = [
  'DeadlineStarted',
  'DeadlineApproaching',
  'DeadlineBreached',
  'DeadlineMet',
  'DeadlinePaused',
  'DeadlineResumed',
  'DeadlineExtended',
  'DeadlineRescheduled',
  'SupervisionEscalated',
  'NoticeIssued',
];

export const SUPERVISION_EVENT_TYPES: readonly SupervisionEventType[] = [
  ...CLOCK_EVENT_TYPES,
  'SupervisionOrderIssued',
  'FollowUpRecorded',
  'CaseClosed',
  'CaseReopened',
];
