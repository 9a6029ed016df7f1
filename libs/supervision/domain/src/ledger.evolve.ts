import { num, readable, text, texts, type CaseEvent } from './case-event';
import {
  isOpenClock,
  type Clock,
  type Holding,
  type LedgerCase,
  type LedgerStatus,
  type OutcomeStatus,
} from './ledger.state';
import type {
  ClockExtension,
  ClockPause,
  ClockRules,
  DeadlineStartedData,
  SupervisionEventData,
} from './supervision.events';

type Data = Readonly<Record<string, unknown>>;

const ended = (state: LedgerCase): boolean =>
  state.status === 'resolved' || state.status === 'referred' || state.status === 'terminated';

/**
 * A new holder: the previous spell ends when this one starts. The hand-over that opened the
 * current spell, delivered again, is the same hand-over: no zero-length spell.
 */
const handOver = (
  holders: readonly Holding[],
  departmentId: string,
  at: string,
): readonly Holding[] => {
  const open = holders.find((h) => h.until === null);
  if (open?.departmentId === departmentId && open.since === at) return holders;
  return [
    ...holders.map((h) => (h.until === null ? { ...h, until: at } : h)),
    { departmentId, handlerId: null, since: at, until: null },
  ];
};

const withOutcome = (
  state: LedgerCase,
  status: OutcomeStatus,
  event: CaseEvent,
  referral: string | null,
): LedgerCase => ({
  ...state,
  // A late answer on a case already closed off the ledger is recorded, but does not
  // put it back on the ledger: reopening is a supervisor's decision (CaseReopened).
  status: state.status === 'closed' ? 'closed' : status,
  outcome: { status, at: event.time, by: event.type, referral },
  resolvedAt: event.time,
});

const inProgress = (state: LedgerCase): LedgerCase =>
  state.status === 'closed' ? state : { ...state, status: 'in_progress', outcome: null };

const updateClock = (
  state: LedgerCase,
  clockId: string | null,
  change: (clock: Clock) => Clock,
): LedgerCase => ({
  ...state,
  deadlines: state.deadlines.map((c) => (c.clockId === clockId ? change(c) : c)),
});

const registered = (event: CaseEvent): LedgerCase => {
  const d = event.data;
  return {
    id: text(d, 'caseId') ?? '',
    number: text(d, 'number') ?? '',
    kind: text(d, 'kind') === 'petition' ? 'petition' : 'dispute',
    channel: text(d, 'channel') ?? 'window',
    category: text(d, 'category') ?? 'other',
    title: text(d, 'title') ?? '',
    regionCode: text(d, 'regionCode') ?? '',
    urgency: text(d, 'urgency') === 'urgent' ? 'urgent' : 'normal',
    severity: (['major', 'complex'] as const).find((s) => s === text(d, 'severity')) ?? 'minor',
    receivedAt: text(d, 'receivedAt') ?? event.time,
    registeredAt: event.time,
    status: 'registered',
    track: null,
    leadDepartmentId: null,
    coDepartmentIds: [],
    handlerId: null,
    holders: [],
    outcome: null,
    supervisionLevel: 'none',
    supervisingRegionCode: null,
    nextEscalationAt: null,
    deadlines: [],
    orders: [],
    followUps: [],
    noticeIds: [],
    submissionCount: 1,
    reopenCount: 0,
    resolvedAt: null,
    closedAt: null,
    clockCount: 0,
    version: 0,
    updatedAt: event.time,
  };
};

/** Intake's lifecycle and the tracks' outcomes (DESIGN.md, Case lifecycle). */
function evolveHandling(state: LedgerCase, event: CaseEvent): LedgerCase {
  const d: Data = event.data;
  switch (event.type) {
    case 'RepeatSubmissionRecorded':
      return { ...state, submissionCount: num(d, 'submissionCount') ?? state.submissionCount + 1 };
    case 'CaseDispatched': {
      const lead = text(d, 'leadDepartmentId');
      if (lead === null) return state;
      return {
        ...state,
        status: 'dispatched',
        leadDepartmentId: lead,
        coDepartmentIds: texts(d, 'coDepartmentIds'),
        holders: handOver(state.holders, lead, event.time),
      };
    }
    case 'CaseReturned':
      return {
        ...state,
        status: 'registered',
        leadDepartmentId: null,
        handlerId: null,
        holders: state.holders.map((h) => (h.until === null ? { ...h, until: event.time } : h)),
      };
    case 'CaseTransferred':
    case 'CaseEscalated': {
      const to = text(d, 'toDepartmentId');
      if (to === null) return state;
      return {
        ...state,
        status: 'dispatched',
        leadDepartmentId: to,
        handlerId: null,
        track: null,
        holders: handOver(state.holders, to, event.time),
      };
    }
    case 'CaseAccepted': {
      const handlerId = text(d, 'handlerId');
      const track = (['mediation', 'petition', 'direct'] as const).find(
        (t) => t === text(d, 'track'),
      );
      return {
        ...state,
        status: 'accepted',
        track: track ?? null,
        handlerId,
        holders: state.holders.map((h) => (h.until === null ? { ...h, handlerId } : h)),
      };
    }
    case 'CaseResolved':
      return withOutcome(
        state,
        text(d, 'outcome') === 'referred' ? 'referred' : 'resolved',
        event,
        text(d, 'referral'),
      );
    case 'MediationOpened':
      return state.status === 'accepted' ? { ...state, status: 'in_progress' } : state;
    case 'MediationEscalated': {
      // The dispute goes to the mediation body one tier up: it holds the case from now on.
      const to = text(d, 'departmentId');
      if (to === null) return state;
      return { ...state, leadDepartmentId: to, holders: handOver(state.holders, to, event.time) };
    }
    case 'MediationAgreementReached':
      return withOutcome(state, 'resolved', event, null);
    case 'MediationFailed': {
      const referral = text(d, 'referral');
      return referral && referral !== 'none'
        ? withOutcome(state, 'referred', event, referral)
        : withOutcome(state, 'terminated', event, null);
    }
    case 'PetitionAcceptanceDecided': {
      const decision = text(d, 'decision');
      if (decision === 'diverted') return withOutcome(state, 'referred', event, text(d, 'channel'));
      if (decision === 'not_accepted') return withOutcome(state, 'terminated', event, null);
      return { ...state, status: 'in_progress' };
    }
    case 'PetitionOpinionIssued':
    case 'PetitionReviewDecided':
    case 'PetitionReReviewDecided':
      return withOutcome(state, 'resolved', event, null);
    case 'PetitionReviewRequested':
    case 'PetitionReReviewRequested':
      return inProgress(state);
    case 'PetitionTerminated':
      return withOutcome(state, 'terminated', event, null);
    default:
      return state;
  }
}

const started = (data: DeadlineStartedData): Clock => ({
  clockId: data.clockId,
  obligation: data.obligation,
  departmentId: data.departmentId,
  holderRole: data.holderRole,
  orderId: data.orderId,
  startedAt: data.startedAt,
  dueAt: data.dueAt,
  warnAt: data.warnAt,
  state: 'running',
  warned: false,
  breachedAt: null,
  metAt: null,
  late: false,
  pausedAt: null,
  basis: data.basis,
  rules: data.rules,
});

/**
 * A start the clock engine could have decided: an id and a basis with its pauses and
 * extensions. Anything else is not a clock (the pause, resume and extension of one read
 * its basis, and replay never throws).
 */
const wellFormed = (data: DeadlineStartedData): boolean => {
  const basis = data.basis as Partial<DeadlineStartedData['basis']> | null | undefined;
  return (
    typeof data.clockId === 'string' &&
    typeof basis === 'object' &&
    basis !== null &&
    Array.isArray(basis.pauses) &&
    basis.pauses.every((p) => typeof p === 'object' && p !== null) &&
    Array.isArray(basis.extensions)
  );
};

const RULE_LISTS = ['stopOn', 'pauseOn', 'resumeOn', 'extendOn'] as const;

/** A recount the clock engine could have decided: times, and a basis and rules a clock can run on. */
const recounted = (data: SupervisionEventData['DeadlineRescheduled']): boolean => {
  const rules = data.rules as Partial<ClockRules> | null | undefined;
  return (
    typeof data.dueAt === 'string' &&
    typeof data.warnAt === 'string' &&
    wellFormed(data as unknown as DeadlineStartedData) &&
    typeof rules === 'object' &&
    rules !== null &&
    RULE_LISTS.every((list) => Array.isArray(rules[list])) &&
    typeof rules.warnBefore === 'object' &&
    rules.warnBefore !== null &&
    typeof rules.extension === 'object' &&
    rules.extension !== null
  );
};

const closePause = (pauses: readonly ClockPause[], to: string, length: number): ClockPause[] =>
  pauses.map((p) => (p.to === null ? { ...p, to, length } : p));

/** supervision's own events: clocks, escalation, orders, follow-ups, closure. */
function evolveSupervision(state: LedgerCase, event: CaseEvent): LedgerCase {
  const type = event.type as keyof SupervisionEventData;
  const at = event.time;
  const counted = { ...state, version: Math.max(state.version, event.streamVersion) };
  switch (type) {
    case 'DeadlineStarted': {
      const data = event.data as unknown as DeadlineStartedData;
      if (!wellFormed(data) || state.deadlines.some((c) => c.clockId === data.clockId)) {
        return counted;
      }
      return {
        ...counted,
        deadlines: [...state.deadlines, started(data)],
        clockCount: state.clockCount + 1,
      };
    }
    case 'DeadlineApproaching':
      return updateClock(counted, text(event.data, 'clockId'), (c) => ({ ...c, warned: true }));
    case 'DeadlineBreached':
      return updateClock(counted, text(event.data, 'clockId'), (c) =>
        c.state === 'met' ? c : { ...c, state: 'breached', warned: true, breachedAt: at },
      );
    case 'DeadlineMet': {
      const d = event.data as unknown as SupervisionEventData['DeadlineMet'];
      const met = updateClock(counted, d.clockId, (c) => ({
        ...c,
        state: 'met',
        metAt: d.metAt,
        late: d.late,
        pausedAt: null,
      }));
      // Cured: nothing overdue is left, so the ladder stops where it stands.
      const overdue = met.deadlines.some((c) => c.state === 'breached');
      return overdue ? met : { ...met, nextEscalationAt: null };
    }
    case 'DeadlinePaused': {
      const d = event.data as unknown as SupervisionEventData['DeadlinePaused'];
      const pause: ClockPause = {
        from: d.at,
        to: null,
        reason: d.reason,
        approvedBy: d.approvedBy,
        length: null,
        by: d.by,
      };
      return updateClock(counted, d.clockId, (c) => ({
        ...c,
        state: 'paused',
        pausedAt: d.at,
        basis: { ...c.basis, pauses: [...c.basis.pauses, pause] },
      }));
    }
    case 'DeadlineResumed': {
      const d = event.data as unknown as SupervisionEventData['DeadlineResumed'];
      return updateClock(counted, d.clockId, (c) => ({
        ...c,
        state: 'running',
        pausedAt: null,
        dueAt: d.dueAt,
        warnAt: d.warnAt,
        warned: c.warned && d.warnAt <= at,
        basis: { ...c.basis, pauses: closePause(c.basis.pauses, d.at, d.pausedLength) },
      }));
    }
    case 'DeadlineExtended': {
      const d = event.data as unknown as SupervisionEventData['DeadlineExtended'];
      const extension: ClockExtension = d.extension;
      return updateClock(counted, d.clockId, (c) => ({
        ...c,
        dueAt: d.dueAt,
        warnAt: d.warnAt,
        // An extension gives a warned clock its green back until the new warning time.
        warned: c.warned && d.warnAt <= at,
        basis: { ...c.basis, extensions: [...c.basis.extensions, extension] },
      }));
    }
    case 'DeadlineRescheduled': {
      const d = event.data as unknown as SupervisionEventData['DeadlineRescheduled'];
      if (!recounted(d)) return counted;
      // Lateness is history: a breached or met clock keeps its times whatever is recounted.
      return updateClock(counted, d.clockId, (c) =>
        c.state === 'breached' || c.state === 'met'
          ? c
          : {
              ...c,
              dueAt: d.dueAt,
              warnAt: d.warnAt,
              warned: c.warned && d.warnAt <= at,
              basis: d.basis,
              rules: d.rules,
            },
      );
    }
    case 'SupervisionEscalated': {
      const d = event.data as unknown as SupervisionEventData['SupervisionEscalated'];
      return {
        ...counted,
        supervisionLevel: d.level,
        supervisingRegionCode: d.supervisingRegionCode,
        nextEscalationAt: d.nextEscalationAt,
      };
    }
    case 'NoticeIssued':
      return { ...counted, noticeIds: [...state.noticeIds, text(event.data, 'noticeId') ?? ''] };
    case 'SupervisionOrderIssued': {
      const d = event.data as unknown as SupervisionEventData['SupervisionOrderIssued'];
      return {
        ...counted,
        orders: [
          ...state.orders,
          {
            orderId: d.orderId,
            responsibleLeader: d.responsibleLeader,
            responsibleDepartmentId: d.responsibleDepartmentId,
            dueAt: d.dueAt,
            instructions: d.instructions,
            issuedBy: d.issuedBy,
            issuedAt: at,
          },
        ],
      };
    }
    case 'FollowUpRecorded': {
      const d = event.data as unknown as SupervisionEventData['FollowUpRecorded'];
      const followUps = [...state.followUps, { ...d, recordedAt: at }];
      const status: LedgerStatus = ended(state) ? 'followed_up' : state.status;
      return { ...counted, followUps, status };
    }
    case 'CaseClosed':
      return { ...counted, status: 'closed', closedAt: at };
    case 'CaseReopened':
      return {
        ...counted,
        status: 'in_progress',
        outcome: null,
        closedAt: null,
        reopenCount: state.reopenCount + 1,
      };
    default:
      return counted;
  }
}

/**
 * The one reducer of the ledger (issue 5) and of audit's point-in-time state (issue 8):
 * folds any service's case event into the case's ledger view. Never throws — an event
 * that does not fit leaves the view as it was, and an unknown event is ignored — so an
 * inspector's replay of any history succeeds.
 */
export function evolveLedger(state: LedgerCase | null, raw: CaseEvent): LedgerCase | null {
  const event = readable(raw);
  if (event.type === 'CaseRegistered') return state ?? registered(event);
  if (state === null) return null;
  const next =
    event.service === 'supervision'
      ? evolveSupervision(state, event)
      : evolveHandling(state, event);
  return next === state ? state : { ...next, updatedAt: event.time };
}

export const openClocks = (state: LedgerCase): Clock[] => state.deadlines.filter(isOpenClock);
