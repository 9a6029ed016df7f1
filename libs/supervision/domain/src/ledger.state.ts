import type {
  DeadlineStartedData,
  FollowUpMethod,
  Satisfaction,
  SupervisionLevel,
} from './supervision.events';

export const LEDGER_STATUSES = [
  'registered',
  'dispatched',
  'accepted',
  'in_progress',
  'resolved',
  'referred',
  'terminated',
  'followed_up',
  'closed',
] as const;
export type LedgerStatus = (typeof LEDGER_STATUSES)[number];

export const OUTCOME_STATUSES = ['resolved', 'referred', 'terminated'] as const;
export type OutcomeStatus = (typeof OUTCOME_STATUSES)[number];

export const LIGHTS = ['green', 'yellow', 'red'] as const;
/** 绿灯 running, 黄灯 warned, 红灯 breached and still open. */
export type Light = (typeof LIGHTS)[number];

export type ClockState = 'running' | 'paused' | 'met' | 'breached';

/** A clock as DeadlineStarted started it, and where it stands now. */
export interface Clock extends Omit<DeadlineStartedData, 'caseId'> {
  readonly state: ClockState;
  readonly warned: boolean;
  readonly breachedAt: string | null;
  readonly metAt: string | null;
  readonly late: boolean;
  readonly pausedAt: string | null;
}

/** One department's spell as holder of the case (责任倒查 names it). */
export interface Holding {
  readonly departmentId: string;
  readonly handlerId: string | null;
  readonly since: string;
  readonly until: string | null;
}

export interface SupervisionOrder {
  readonly orderId: string;
  readonly responsibleLeader: string;
  readonly responsibleDepartmentId: string;
  readonly dueAt: string;
  readonly instructions: string;
  readonly issuedBy: string;
  readonly issuedAt: string;
}

export interface FollowUp {
  readonly followUpId: string;
  readonly method: FollowUpMethod;
  readonly satisfaction: Satisfaction;
  readonly notes: string;
  readonly recordedBy: string;
  readonly recordedAt: string;
  readonly outcome: string;
}

export interface Outcome {
  readonly status: OutcomeStatus;
  readonly at: string;
  readonly by: string;
  readonly referral: string | null;
}

/**
 * The ledger's view of a case (台账; API.md `GET /cases/{id}`), folded from the case's
 * whole canonical stream — every service's events — by `evolveLedger`. The same fold
 * serves supervision's live ledger and audit's point-in-time state: one reducer.
 */
export interface LedgerCase {
  readonly id: string;
  readonly number: string;
  readonly kind: 'dispute' | 'petition';
  readonly channel: string;
  readonly category: string;
  readonly title: string;
  readonly regionCode: string;
  readonly urgency: 'normal' | 'urgent';
  readonly severity: 'minor' | 'major' | 'complex';
  readonly receivedAt: string;
  readonly registeredAt: string;
  readonly status: LedgerStatus;
  readonly track: 'mediation' | 'petition' | 'direct' | null;
  readonly leadDepartmentId: string | null;
  readonly coDepartmentIds: readonly string[];
  readonly handlerId: string | null;
  readonly holders: readonly Holding[];
  readonly outcome: Outcome | null;
  readonly supervisionLevel: SupervisionLevel;
  readonly supervisingRegionCode: string | null;
  readonly nextEscalationAt: string | null;
  readonly deadlines: readonly Clock[];
  readonly orders: readonly SupervisionOrder[];
  readonly followUps: readonly FollowUp[];
  readonly noticeIds: readonly string[];
  readonly submissionCount: number;
  readonly reopenCount: number;
  readonly resolvedAt: string | null;
  readonly closedAt: string | null;
  /** Clocks started so far (clock ids are `c<n>`: deterministic, so replays agree). */
  readonly clockCount: number;
  /** supervision's own stream version of the case (ETag / If-Match of its commands). */
  readonly version: number;
  readonly updatedAt: string;
}

/** The case's light: the worst of its open clocks (a clock met late is history, not a light). */
export function lightOf(state: Pick<LedgerCase, 'deadlines'>): Light {
  let light: Light = 'green';
  for (const clock of state.deadlines) {
    if (clock.state === 'breached') return 'red';
    if (clock.state === 'running' && clock.warned) light = 'yellow';
  }
  return light;
}

export const clockLight = (clock: Clock): Light | null =>
  clock.state === 'breached'
    ? 'red'
    : clock.state === 'met'
      ? null
      : clock.warned
        ? 'yellow'
        : 'green';

export const isOpenClock = (clock: Clock): boolean =>
  clock.state === 'running' || clock.state === 'paused' || clock.state === 'breached';
