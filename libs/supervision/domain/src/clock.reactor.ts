import type { Obligation } from '@casegrid/deadlines';
import { num, text, type CaseEvent } from './case-event';
import { extendClock, extensionRefusal, pauseClock, resumeClock } from './clock.adjustments';
import {
  policiesStartedBy,
  rulesOf,
  timingOf,
  type ClockContext,
  type VersionedDeadlinePolicy,
} from './clock.policies';
import { isOpenClock, type Clock, type LedgerCase } from './ledger.state';
import {
  CLOCK_EVENT_TYPES,
  type ClockExtension,
  type DeadlineStartedData,
  type SupervisionEvent,
} from './supervision.events';

/** supervision's clock events never start or stop clocks themselves (no feedback loops). */
const CLOCK_EVENTS: ReadonlySet<string> = new Set(CLOCK_EVENT_TYPES);

/**
 * Obligations that only one answer of their starting event creates: only an accepted
 * petition has an opinion due (信访工作条例 Art 34); one not accepted or diverted is ended.
 */
const STARTS_ONLY_IF: Partial<Record<Obligation, (event: CaseEvent) => boolean>> = {
  petition_opinion: (event) =>
    event.type !== 'PetitionAcceptanceDecided' || text(event.data, 'decision') === 'accepted',
  // …and one not accepted or diverted has its outcome: the follow-up is due.
  follow_up: (event) =>
    event.type !== 'PetitionAcceptanceDecided' || text(event.data, 'decision') !== 'accepted',
};

/** Who holds an obligation a policy starts: one clock each (lateness is theirs). */
function holdersOf(
  state: LedgerCase,
  policy: VersionedDeadlinePolicy,
  event: CaseEvent,
): Pick<DeadlineStartedData, 'departmentId' | 'holderRole' | 'orderId'>[] {
  if (event.type === 'SupervisionOrderIssued') {
    return [
      {
        departmentId: text(event.data, 'responsibleDepartmentId'),
        holderRole: 'order',
        orderId: text(event.data, 'orderId'),
      },
    ];
  }
  if (policy.obligation === 'dispatch') {
    return [{ departmentId: null, holderRole: 'dispatcher', orderId: null }];
  }
  if (policy.obligation === 'follow_up') {
    return [{ departmentId: null, holderRole: 'supervisor', orderId: null }];
  }
  const lead = state.leadDepartmentId;
  const leads = [{ departmentId: lead, holderRole: lead ? 'lead' : 'dispatcher', orderId: null }];
  const cos = policy.perCoHandler
    ? state.coDepartmentIds.map((id) => ({ departmentId: id, holderRole: 'co', orderId: null }))
    : [];
  return [...leads, ...cos] as Pick<
    DeadlineStartedData,
    'departmentId' | 'holderRole' | 'orderId'
  >[];
}

function starts(
  state: LedgerCase,
  event: CaseEvent,
  ctx: ClockContext,
  stopped: ReadonlySet<string>,
): SupervisionEvent[] {
  const events: SupervisionEvent[] = [];
  let count = state.clockCount;
  for (const policy of policiesStartedBy(event.type, state, ctx.policies)) {
    if (STARTS_ONLY_IF[policy.obligation]?.(event) === false) continue;
    const startedAt = policy.startFrom === 'received_at' ? state.receivedAt : event.time;
    // An event that names the due field as null says there is no such obligation (a
    // court's own mediation needs no judicial confirmation).
    if (policy.dueAtField && event.data[policy.dueAtField] === null) continue;
    const named = policy.dueAtField ? text(event.data, policy.dueAtField) : null;
    const eventDueAt = named && !Number.isNaN(Date.parse(named)) ? named : null;
    for (const holder of holdersOf(state, policy, event)) {
      // A clock already running for the same obligation and holder keeps running: a
      // return or re-dispatch does not restart it (reference §3, Design).
      const running = state.deadlines.some(
        (c) =>
          isOpenClock(c) &&
          !stopped.has(c.clockId) &&
          c.obligation === policy.obligation &&
          c.departmentId === holder.departmentId &&
          c.orderId === holder.orderId,
      );
      if (running) continue;
      count += 1;
      const basis = {
        policy: policy.code,
        policyVersion: policy.version,
        policyName: policy.name,
        article: policy.article,
        note: policy.basis,
        unit: policy.period.unit,
        length: policy.period.length,
        calendarVersion: ctx.calendar.version,
        calendarFallback: false,
        startedBy: event.type,
        eventDueAt,
        pauses: [],
        extensions: [],
      };
      const timing = timingOf(ctx.calendar, startedAt, basis, policy.warnBefore);
      events.push({
        type: 'DeadlineStarted',
        data: {
          caseId: state.id,
          clockId: `c${count}`,
          obligation: policy.obligation,
          ...holder,
          startedAt,
          dueAt: timing.dueAt,
          warnAt: timing.warnAt,
          basis: { ...basis, calendarFallback: timing.fallback },
          rules: rulesOf(policy),
        },
      });
    }
  }
  return events;
}

/** The length an extending event grants, in the clock's unit (`length`, or `days`). */
const extensionOf = (clock: Clock, event: CaseEvent): ClockExtension | null => {
  const length = num(event.data, 'length') ?? num(event.data, 'days');
  if (length === null || length <= 0) return null;
  return {
    at: event.time,
    length,
    unit: clock.basis.unit,
    reason: text(event.data, 'reason') ?? event.type,
    approvedBy: text(event.data, 'approvedBy'),
    by: event.type,
  };
};

function changes(state: LedgerCase, event: CaseEvent, ctx: ClockContext): SupervisionEvent[] {
  const events: SupervisionEvent[] = [];
  const closing = event.type === 'CaseClosed';
  for (const clock of state.deadlines.filter(isOpenClock)) {
    const { clockId } = clock;
    // The event that started this clock, delivered again (a transfer's new holder's
    // accept clock, stopped by transfers): a duplicate, not a second transfer.
    if (clock.basis.startedBy === event.type && clock.startedAt === event.time) continue;
    // Closing a case off the ledger (销号) ends every obligation still open on it.
    if (closing || clock.rules.stopOn.includes(event.type)) {
      events.push({
        type: 'DeadlineMet',
        data: {
          caseId: state.id,
          clockId,
          obligation: clock.obligation,
          departmentId: clock.departmentId,
          metAt: event.time,
          stoppedBy: event.type,
          late: clock.state === 'breached' || event.time > clock.dueAt,
        },
      });
    } else if (clock.state === 'running' && clock.rules.pauseOn.includes(event.type)) {
      events.push(
        pauseClock(state, clock, {
          at: event.time,
          reason: text(event.data, 'reason') ?? event.type,
          approvedBy: text(event.data, 'approvedBy'),
          by: event.type,
        }),
      );
    } else if (clock.state === 'paused' && clock.rules.resumeOn.includes(event.type)) {
      events.push(resumeClock(state, clock, event.time, event.type, ctx.calendar));
    } else if (clock.rules.extendOn.includes(event.type)) {
      const extension = extensionOf(clock, event);
      if (extension === null || extensionRefusal(clock, extension) !== null) continue;
      events.push(extendClock(state, clock, extension, ctx.calendar));
    }
  }
  return events;
}

/**
 * The clock engine's reaction to one event of the case's stream (any service's, or one of
 * supervision's own commands): stop, pause, resume or extend the open clocks the event
 * names in their rules, then start the clocks of the policies it starts. `state` is the
 * ledger with the event already folded in (the new holder, the track). A duplicate input
 * changes nothing: a clock already open for the same obligation and holder is not started
 * twice, and a stopped clock is not stopped again.
 */
export function clockReactions(
  state: LedgerCase,
  event: CaseEvent,
  ctx: ClockContext,
): SupervisionEvent[] {
  if (event.service === 'supervision' && CLOCK_EVENTS.has(event.type)) return [];
  const changed = changes(state, event, ctx);
  const stopped = new Set(
    changed.flatMap((e) => (e.type === 'DeadlineMet' ? [e.data.clockId] : [])),
  );
  return [...changed, ...starts(state, event, ctx, stopped)];
}
