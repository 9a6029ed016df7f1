import { dueAt, type Period, type WorkingCalendar } from '@casegrid/calendar';
import { regionTier } from '@casegrid/identity';
import type { Obligation } from '@casegrid/deadlines';
import type { Clock, LedgerCase } from './ledger.state';
import type { SupervisionEvent, SupervisionLevel } from './supervision.events';

export interface TickContext {
  readonly calendar: WorkingCalendar;
  /** How long a breached case stays at one tier of supervision before it is raised again. */
  readonly escalationInterval: Period;
  /** The region a department sits in (from reference data). */
  readonly regionOf: (departmentId: string) => string | undefined;
  /** A fresh id (notices are addressable). */
  readonly newId: () => string;
  /**
   * Up to when supervision has seen every event that could stop, pause, resume or extend
   * `clock` (the producers' watermarks); `null` when it cannot say. A warning or breach due
   * later than that waits: the event that meets it may have been committed before its due
   * time and still be on its way. Absent: everything has been seen (a replay, a spec).
   */
  readonly watermark?: (clock: Clock) => string | null;
}

const RANK: Readonly<Record<SupervisionLevel, number>> = {
  none: 0,
  township: 1,
  county: 2,
  city: 3,
};
const LEVEL_BY_RANK = ['none', 'township', 'county', 'city'] as const;
const PREFIX: Readonly<Record<Exclude<SupervisionLevel, 'none'>, number>> = {
  township: 9,
  county: 6,
  city: 4,
};

/**
 * The window for judicial confirmation is the parties' (人民调解法 Art 33), not a
 * department's duty: its lapse is recorded, not supervised up the ladder.
 */
const SUPERVISED = (obligation: Obligation): boolean => obligation !== 'judicial_confirmation';

/** One tier above the holder's region: a village's case is supervised by its township. */
export function levelAbove(regionCode: string): Exclude<SupervisionLevel, 'none'> {
  switch (regionTier(regionCode)) {
    case 'grid':
    case 'village':
      return 'township';
    case 'township':
      return 'county';
    default:
      return 'city';
  }
}

export const supervisingRegion = (
  level: Exclude<SupervisionLevel, 'none'>,
  holderRegion: string,
): string => holderRegion.slice(0, PREFIX[level]).padEnd(12, '0');

const breachedAndOpen = (state: LedgerCase): Clock[] =>
  state.deadlines.filter((c) => c.state === 'breached' && SUPERVISED(c.obligation));

/** The next instant something is due on the case (warning, breach, or a further escalation). */
export function nextFireAt(state: LedgerCase): string | null {
  let next: string | null = null;
  const consider = (at: string): void => {
    if (next === null || at < next) next = at;
  };
  for (const clock of state.deadlines) {
    if (clock.state === 'running') consider(clock.warned ? clock.dueAt : clock.warnAt);
  }
  if (
    state.nextEscalationAt !== null &&
    state.supervisionLevel !== 'city' &&
    breachedAndOpen(state).length > 0
  ) {
    consider(state.nextEscalationAt);
  }
  return next;
}

/**
 * What is due on a case at `now`: warnings (黄灯) and breaches (红灯) of its running clocks,
 * each once (the state records what was emitted), and the escalation ladder (提级督办): a
 * breach raises supervision to the tier above the holding department's region; a case
 * still overdue an interval later is raised again, up to the city, where a notice (通报) is
 * issued. The ladder counts from the due times, not from when this runs, so catching up
 * after an outage yields what would have happened on time.
 */
export function dueReactions(state: LedgerCase, now: Date, ctx: TickContext): SupervisionEvent[] {
  const events: SupervisionEvent[] = [];
  const breachedNow: Clock[] = [];
  for (const clock of state.deadlines) {
    if (clock.state !== 'running') continue;
    const at = seenUpTo(clock, now, ctx);
    if (at === null) continue;
    const base = { caseId: state.id, clockId: clock.clockId, obligation: clock.obligation };
    if (!clock.warned && clock.warnAt <= at) {
      events.push({
        type: 'DeadlineApproaching',
        data: { ...base, departmentId: clock.departmentId, dueAt: clock.dueAt },
      });
    }
    if (clock.dueAt <= at) {
      const spell = state.holders.find(
        (h) => h.until === null && h.departmentId === clock.departmentId,
      );
      events.push({
        type: 'DeadlineBreached',
        data: {
          ...base,
          departmentId: clock.departmentId,
          handlerId: spell?.handlerId ?? null,
          heldSince: spell?.since ?? null,
          dueAt: clock.dueAt,
          policy: clock.basis.policy,
          article: clock.basis.article,
        },
      });
      if (SUPERVISED(clock.obligation)) breachedNow.push(clock);
    }
  }
  // Raising supervision again waits for the same: the clock it is raised for may have
  // been met meanwhile by an event still on its way.
  const overdue = [...breachedAndOpen(state), ...breachedNow];
  const ladderAt = overdue.reduce<string | null>((min, clock) => {
    const seen = seenUpTo(clock, now, ctx);
    return min === null || seen === null ? null : seen < min ? seen : min;
  }, now.toISOString());
  return ladderAt === null ? events : [...events, ...ladder(state, breachedNow, ladderAt, ctx)];
}

/** `now`, or what the watermark allows of it: the instant up to which firing may go. */
const seenUpTo = (clock: Clock, now: Date, ctx: TickContext): string | null => {
  const at = now.toISOString();
  if (!ctx.watermark) return at;
  const seen = ctx.watermark(clock);
  return seen === null ? null : seen < at ? seen : at;
};

function ladder(
  state: LedgerCase,
  breachedNow: readonly Clock[],
  at: string,
  ctx: TickContext,
): SupervisionEvent[] {
  const overdue = [...breachedAndOpen(state), ...breachedNow];
  if (overdue.length === 0) return [];
  const holder = overdue[0]!;
  const holderRegion =
    (holder.departmentId && ctx.regionOf(holder.departmentId)) || state.regionCode;
  const events: SupervisionEvent[] = [];
  let level = state.supervisionLevel;
  let next = state.nextEscalationAt;
  const raise = (to: Exclude<SupervisionLevel, 'none'>, from: string, reason: string): void => {
    const regionCode = supervisingRegion(to, holderRegion);
    // Counted from the last day overdue: a due time of 24:00 Tuesday is Tuesday's, not
    // Wednesday's, so two working days of supervision end at 24:00 Thursday.
    next =
      to === 'city'
        ? null
        : dueAt(
            ctx.calendar,
            new Date(Date.parse(from) - 1),
            ctx.escalationInterval,
          ).dueAt.toISOString();
    events.push({
      type: 'SupervisionEscalated',
      data: {
        caseId: state.id,
        fromLevel: level,
        level: to,
        supervisingRegionCode: regionCode,
        clockIds: overdue.map((c) => c.clockId),
        departmentId: holder.departmentId,
        reason,
        nextEscalationAt: next,
      },
    });
    if (to === 'city') {
      events.push({
        type: 'NoticeIssued',
        data: {
          caseId: state.id,
          noticeId: ctx.newId(),
          regionCode,
          departmentId: holder.departmentId,
          clockIds: overdue.map((c) => c.clockId),
          obligations: [...new Set(overdue.map((c) => c.obligation))],
          text: `案件 ${state.number} 逾期未办结，经逐级提级督办仍未整改，予以通报。`,
        },
      });
    }
    level = to;
  };
  const target = levelAbove(holderRegion);
  const first = breachedNow[0];
  if (first && RANK[target] > RANK[level]) {
    raise(target, first.dueAt, `${first.obligation} overdue since ${first.dueAt}`);
  }
  while (level !== 'none' && level !== 'city' && next !== null && next <= at) {
    raise(
      LEVEL_BY_RANK[RANK[level] + 1] as Exclude<SupervisionLevel, 'none'>,
      next,
      'still overdue',
    );
  }
  return events;
}
