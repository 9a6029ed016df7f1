import { DEFAULT_CALENDAR_YEARS, WorkingCalendar } from '@casegrid/calendar';
import { DEFAULT_DEADLINE_POLICIES, type Obligation } from '@casegrid/deadlines';
import type { CaseEvent } from '../case-event';
import type { ClockContext, VersionedDeadlinePolicy } from '../clock.policies';
import type { TickContext } from '../clock.ticker';
import { evolveLedger } from '../ledger.evolve';
import type { Clock, LedgerCase } from '../ledger.state';
import { rescheduleEvents, type Recount } from '../clock.reschedule';
import {
  decideSupervision,
  fire,
  observe,
  settle,
  type Settled,
  type SupervisionCommand,
} from '../supervision.decider';
import type {
  SupervisionEvent,
  SupervisionEventData,
  SupervisionEventType,
} from '../supervision.events';

/** The real 2024–2026 calendar the specs count on (version `2024.1+2025.1+2026.1`). */
export const calendar = WorkingCalendar.fromYears(DEFAULT_CALENDAR_YEARS);
export const POLICIES: readonly VersionedDeadlinePolicy[] = DEFAULT_DEADLINE_POLICIES.map((p) => ({
  ...p,
  version: 1,
}));

export const CASE_ID = '0190a7f0-0000-7000-8000-00000000c0de';
export const NUMBER = '2025-370102-000042';
/** 历下区 解放路街道 (township) and one of its villages. */
export const REGION = {
  village: '370102001001',
  township: '370102001000',
  county: '370102000000',
  city: '370100000000',
} as const;
export const DEPT = {
  committee: 'd-village-committee',
  police: 'd-police-station',
  townOffice: 'd-township-office',
  petitionOffice: 'd-petition-office',
} as const;
const REGION_OF: Readonly<Record<string, string>> = {
  [DEPT.committee]: REGION.village,
  [DEPT.police]: REGION.township,
  [DEPT.townOffice]: REGION.township,
  [DEPT.petitionOffice]: REGION.county,
};

export type Ctx = ClockContext & TickContext;

/** A fresh context: the seeded policies, the real calendar, 2 working days per rung. */
export function context(policies: readonly VersionedDeadlinePolicy[] = POLICIES): Ctx {
  let notices = 0;
  return {
    policies,
    calendar,
    escalationInterval: { length: 2, unit: 'working_days' },
    regionOf: (departmentId) => REGION_OF[departmentId],
    newId: () => `notice-${(notices += 1)}`,
  };
}

type Data = Readonly<Record<string, unknown>>;

/** Another service's event of the case, as the adapter hands it to the domain. */
export const caseEvent = (
  service: string,
  type: string,
  at: string,
  data: Data = {},
): CaseEvent => ({
  id: `${service}:${type}:${at}`,
  type,
  service,
  time: at,
  actor: `u-${service}`,
  streamVersion: 1,
  data: { caseId: CASE_ID, ...data },
});

/** One of supervision's own events as recorded (for folding by hand). */
export const supervisionEvent = (at: string, type: string, data: object = {}): CaseEvent =>
  caseEvent('supervision', type, at, { ...data });

/** The ledger of a history of events, which must register the case. */
export function foldLedger(history: readonly CaseEvent[]): LedgerCase {
  const state = history.reduce<LedgerCase | null>(evolveLedger, null);
  if (state === null) throw new Error('no case');
  return state;
}

const intake = (type: string, at: string, data: Data = {}) => caseEvent('intake', type, at, data);
const mediation = (type: string, at: string, data: Data = {}) =>
  caseEvent('mediation', type, at, { departmentId: DEPT.committee, ...data });
const petition = (type: string, at: string, data: Data = {}) =>
  caseEvent('petition', type, at, { departmentId: DEPT.petitionOffice, ...data });

export const events = {
  registered: (at: string, data: Data = {}) =>
    intake('CaseRegistered', at, {
      number: NUMBER,
      kind: 'dispute',
      channel: 'window',
      title: '邻里漏水纠纷',
      category: 'neighbour',
      regionCode: REGION.village,
      urgency: 'normal',
      severity: 'minor',
      receivedAt: at,
      ...data,
    }),
  repeat: (at: string, submissionCount: number) =>
    intake('RepeatSubmissionRecorded', at, { submissionCount }),
  dispatched: (at: string, lead: string = DEPT.committee, co: readonly string[] = [DEPT.police]) =>
    intake('CaseDispatched', at, { leadDepartmentId: lead, coDepartmentIds: co, by: 'manual' }),
  returned: (at: string, departmentId: string = DEPT.committee) =>
    intake('CaseReturned', at, { departmentId, reason: '不属本单位职责' }),
  transferred: (at: string, to: string, from: string = DEPT.committee) =>
    intake('CaseTransferred', at, { fromDepartmentId: from, toDepartmentId: to, reason: '移交' }),
  escalated: (at: string, to: string, from: string = DEPT.committee) =>
    intake('CaseEscalated', at, {
      fromDepartmentId: from,
      toDepartmentId: to,
      toRegionCode: REGION.township,
      reason: '大事不出镇',
    }),
  accepted: (at: string, track = 'mediation', departmentId: string = DEPT.committee) =>
    intake('CaseAccepted', at, { departmentId, track, handlerId: 'u-handler' }),
  resolved: (at: string, outcome = 'resolved', referral: string | null = null) =>
    intake('CaseResolved', at, {
      departmentId: DEPT.committee,
      outcome,
      summary: '已办结',
      referral,
    }),
  mediationOpened: (at: string) =>
    mediation('MediationOpened', at, { type: 'people', mediatorIds: ['u-m1'], openedAt: at }),
  agreementReached: (at: string, performanceDueAt: string | null = null) =>
    mediation('MediationAgreementReached', at, { terms: '赔偿', signedAt: at, performanceDueAt }),
  mediationFailed: (at: string, referral: string) =>
    mediation('MediationFailed', at, { reason: '一方拒绝', referral }),
  confirmationRequested: (at: string) =>
    mediation('JudicialConfirmationRequested', at, { court: '历下区人民法院', requestedAt: at }),
  acceptanceDecided: (at: string, decision = 'accepted', channel: string | null = null) =>
    petition('PetitionAcceptanceDecided', at, { decision, reason: '-', channel, decidedAt: at }),
  extended: (at: string, days: number, approvedBy: string | null = 'u-head') =>
    petition('PetitionExtended', at, { days, reason: '情况复杂', approvedBy }),
  opinionIssued: (at: string) =>
    petition('PetitionOpinionIssued', at, { result: 'supported', text: '-', issuedAt: at }),
  reviewRequested: (at: string) =>
    petition('PetitionReviewRequested', at, { requestedAt: at, grounds: '-' }),
  reviewDecided: (at: string) =>
    petition('PetitionReviewDecided', at, { result: 'upheld', text: '-', decidedAt: at }),
  reReviewRequested: (at: string) =>
    petition('PetitionReReviewRequested', at, { requestedAt: at, grounds: '-' }),
  reReviewDecided: (at: string) =>
    petition('PetitionReReviewDecided', at, { result: 'upheld', text: '-', decidedAt: at }),
  hearingStarted: (at: string) =>
    petition('PetitionHearingStarted', at, { startedAt: at, reason: '听证' }),
  hearingEnded: (at: string) => petition('PetitionHearingEnded', at, { endedAt: at }),
  petitionTerminated: (at: string) => petition('PetitionTerminated', at, { basis: '信访人撤回' }),
};

const meta = (now: string) => ({
  actor: 'u-supervisor',
  department: 'd-township-centre',
  correlationId: 'corr-1',
  now: new Date(now),
});

export const commands = {
  order: (now: string, dueAt: string): SupervisionCommand => ({
    type: 'IssueSupervisionOrder',
    data: {
      orderId: 'order-1',
      responsibleLeader: 'u-leader',
      responsibleDepartmentId: DEPT.townOffice,
      dueAt,
      instructions: '限期办结',
    },
    metadata: meta(now),
  }),
  followUp: (now: string, satisfaction: 'satisfied' | 'unsatisfied' = 'satisfied') => ({
    type: 'RecordFollowUp' as const,
    data: { followUpId: `fu-${now}`, method: 'phone' as const, satisfaction, notes: '电话回访' },
    metadata: meta(now),
  }),
  close: (now: string): SupervisionCommand => ({
    type: 'CloseCase',
    data: { note: '销号' },
    metadata: meta(now),
  }),
  reopen: (now: string): SupervisionCommand => ({
    type: 'ReopenCase',
    data: { reason: '复核发现未解决' },
    metadata: meta(now),
  }),
};

/**
 * A case's life as supervision lives it: each step folds its reactions into the ledger, as
 * the service records them. `emitted` is what the last step yielded.
 */
export class History {
  private constructor(
    private readonly current: LedgerCase | null,
    readonly ctx: Ctx,
    readonly emitted: readonly SupervisionEvent[],
  ) {}

  static of(ctx: Ctx = context()): History {
    return new History(null, ctx, []);
  }

  get state(): LedgerCase {
    if (this.current === null) throw new Error('the case is not registered in this history');
    return this.current;
  }

  /** The same case, counted from here on with other policies (an administrator changed them). */
  withContext(ctx: Ctx): History {
    return new History(this.current, ctx, []);
  }

  /** Another service's event reaches supervision (observed at its own time). */
  observe(...caseEvents: readonly CaseEvent[]): History {
    return caseEvents.reduce<History>((h, e) => {
      const settled = observe(h.current, e, new Date(e.time), h.ctx);
      return settled ? h.next(settled) : new History(h.current, h.ctx, []);
    }, this);
  }

  /** The ticker runs at `at`. */
  fire(at: string): History {
    return this.next(fire(this.state, new Date(at), this.ctx));
  }

  /** A change of reference data recounts the case's clocks at `at` (the reschedule worker). */
  recount(recount: Recount, at: string): History {
    const decided = rescheduleEvents(this.state, recount, new Date(at));
    return this.next(settle(this.state, decided, { actor: 'system:supervision', at }, this.ctx));
  }

  /** A supervisor's command, decided and settled (throws the command's error). */
  command(command: SupervisionCommand): History {
    const decided = decideSupervision(command, this.state, this.ctx);
    const at = command.metadata.now.toISOString();
    return this.next(settle(this.state, decided, { actor: command.metadata.actor, at }, this.ctx));
  }

  clock(obligation: Obligation, departmentId?: string | null): Clock {
    const found = this.state.deadlines.filter(
      (c) =>
        c.obligation === obligation &&
        (departmentId === undefined || c.departmentId === departmentId),
    );
    const clock = found[found.length - 1];
    if (!clock) throw new Error(`no ${obligation} clock for ${String(departmentId)}`);
    return clock;
  }

  /** The emitted events of one type, with their data. */
  of<T extends SupervisionEventType>(type: T): SupervisionEventData[T][] {
    return this.emitted.flatMap((e) =>
      e.type === type ? [e.data as SupervisionEventData[T]] : [],
    );
  }

  get types(): string[] {
    return this.emitted.map((e) => e.type);
  }

  private next(settled: Settled): History {
    return new History(settled.state, this.ctx, settled.events);
  }
}

/** The error a thunk throws (undefined when it does not). */
export function errorOf(thunk: () => unknown): unknown {
  try {
    thunk();
    return undefined;
  } catch (error) {
    return error;
  }
}
