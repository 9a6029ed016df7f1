import type { Event } from '@casegrid/kernel';

/**
 * 三调联动 (信访工作条例 Art 37): people's mediation by mediation committees (人民调解法
 * Art 8), administrative mediation by the competent organ (道交法 Art 74, 治安管理处罚法
 * Art 9, 医疗纠纷条例 Art 22), judicial mediation by a court (民诉法 Art 96–102).
 */
export const MEDIATION_TYPES = ['people', 'administrative', 'judicial'] as const;
export type MediationType = (typeof MEDIATION_TYPES)[number];

/** Where a failed mediation sends the parties (诉调对接, 人民调解法 Art 26); `none`: 终止调解. */
export const MEDIATION_REFERRALS = ['litigation', 'arbitration', 'administrative', 'none'] as const;
export type MediationReferral = (typeof MEDIATION_REFERRALS)[number];

/**
 * Every event's `data` carries `caseId` and `departmentId` = the mediation body that acted
 * (supervision attributes lateness by it); times are ISO strings with offset.
 */
export type MediationOpened = Event<
  'MediationOpened',
  {
    readonly caseId: string;
    readonly departmentId: string;
    readonly type: MediationType;
    readonly mediatorIds: readonly string[];
    readonly openedAt: string;
  }
>;

export type MediationSessionHeld = Event<
  'MediationSessionHeld',
  {
    readonly caseId: string;
    readonly departmentId: string;
    /** 1, 2, … over the whole file, across tiers. */
    readonly sessionNumber: number;
    readonly heldAt: string;
    readonly location: string;
    /** Who attended, as the mediator recorded them (roles or references, never id numbers). */
    readonly attendees: readonly string[];
    readonly notes: string;
  }
>;

/**
 * The parties signed (人民调解法 Art 29): the case is resolved. Starts the agreement
 * performance clock (`performanceDueAt`) and the 30-day window for judicial confirmation,
 * whose end is recorded as `judicialConfirmationDueAt` (Art 33; see mediation.window.ts).
 */
export type MediationAgreementReached = Event<
  'MediationAgreementReached',
  {
    readonly caseId: string;
    readonly departmentId: string;
    readonly terms: string;
    readonly signedAt: string;
    readonly performanceDueAt: string | null;
    /** null for a court's mediation: its 调解书 needs no confirmation. */
    readonly judicialConfirmationDueAt: string | null;
  }
>;

/** 终止调解 (Art 26): referred when `referral` names a route, else terminated. */
export type MediationFailed = Event<
  'MediationFailed',
  {
    readonly caseId: string;
    readonly departmentId: string;
    readonly reason: string;
    readonly referral: MediationReferral;
  }
>;

/** The parties applied jointly to the court for 司法确认 (人民调解法 Art 33; 民诉法 Art 205). */
export type JudicialConfirmationRequested = Event<
  'JudicialConfirmationRequested',
  {
    readonly caseId: string;
    readonly departmentId: string;
    readonly court: string;
    readonly requestedAt: string;
  }
>;

/** Confirmed: enforceable (民诉法 Art 206). Not confirmed: re-mediate or sue. */
export type JudicialConfirmationDecided = Event<
  'JudicialConfirmationDecided',
  {
    readonly caseId: string;
    readonly departmentId: string;
    readonly confirmed: boolean;
    readonly decidedAt: string;
  }
>;

/**
 * A dispute that cannot be settled at its tier goes to the mediation body one tier up
 * (小事不出村、大事不出镇、难事不出县); `departmentId` is that body, which opens anew.
 */
export type MediationEscalated = Event<
  'MediationEscalated',
  {
    readonly caseId: string;
    readonly fromDepartmentId: string;
    readonly departmentId: string;
    readonly toRegionCode: string;
    readonly reason: string;
  }
>;

export type MediationEvent =
  | MediationOpened
  | MediationSessionHeld
  | MediationAgreementReached
  | MediationFailed
  | JudicialConfirmationRequested
  | JudicialConfirmationDecided
  | MediationEscalated;
