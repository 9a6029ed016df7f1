import { clockLight, lightOf, type LedgerCase } from './ledger.state';

/**
 * A ledger row as API.md's `GET /cases/{id}` shows it. `basis` explains each due time:
 * the policy and article, the unit and length, the calendar version counted on, and
 * every pause (中止) and extension.
 */
export const caseView = (state: LedgerCase) => ({
  id: state.id,
  number: state.number,
  kind: state.kind,
  channel: state.channel,
  category: state.category,
  title: state.title,
  regionCode: state.regionCode,
  urgency: state.urgency,
  severity: state.severity,
  status: state.status,
  track: state.track,
  leadDepartmentId: state.leadDepartmentId,
  coDepartmentIds: state.coDepartmentIds,
  handlerId: state.handlerId,
  light: lightOf(state),
  supervisionLevel: state.supervisionLevel,
  supervisingRegionCode: state.supervisingRegionCode,
  outcome: state.outcome,
  deadlines: state.deadlines.map((clock) => ({
    clockId: clock.clockId,
    obligation: clock.obligation,
    departmentId: clock.departmentId,
    holderRole: clock.holderRole,
    orderId: clock.orderId,
    startedAt: clock.startedAt,
    warnAt: clock.warnAt,
    dueAt: clock.dueAt,
    state: clock.state,
    light: clockLight(clock),
    breachedAt: clock.breachedAt,
    metAt: clock.metAt,
    late: clock.late,
    basis: clock.basis,
  })),
  orders: state.orders,
  followUps: state.followUps,
  holders: state.holders,
  noticeIds: state.noticeIds,
  submissionCount: state.submissionCount,
  reopenCount: state.reopenCount,
  receivedAt: state.receivedAt,
  registeredAt: state.registeredAt,
  resolvedAt: state.resolvedAt,
  closedAt: state.closedAt,
  version: state.version,
});

/** One line of the ledger (台账) list. */
export const ledgerLine = (state: LedgerCase) => {
  const open = state.deadlines.filter((c) => c.state === 'running' || c.state === 'breached');
  const nextDue = open.map((c) => c.dueAt).sort()[0] ?? null;
  return {
    id: state.id,
    number: state.number,
    kind: state.kind,
    category: state.category,
    title: state.title,
    regionCode: state.regionCode,
    status: state.status,
    track: state.track,
    leadDepartmentId: state.leadDepartmentId,
    coDepartmentIds: state.coDepartmentIds,
    handlerId: state.handlerId,
    light: lightOf(state),
    supervisionLevel: state.supervisionLevel,
    nextDueAt: nextDue,
    submissionCount: state.submissionCount,
    registeredAt: state.registeredAt,
    resolvedAt: state.resolvedAt,
    closedAt: state.closedAt,
    version: state.version,
  };
};

/** What the access policy needs of a ledger row (undefined: no such case here). */
export const scopeOf = (state: LedgerCase | null) =>
  state === null
    ? undefined
    : {
        regionCode: state.regionCode,
        leadDepartmentId: state.leadDepartmentId ?? undefined,
        coDepartmentIds: state.coDepartmentIds,
      };
