import type { WorkingCalendar } from '@casegrid/calendar';
import {
  policiesStartedBy,
  rulesOf,
  timingOf,
  type VersionedDeadlinePolicy,
} from './clock.policies';
import { clockLight, type Clock, type LedgerCase, type Light } from './ledger.state';
import type {
  ClockBasis,
  ClockRules,
  RescheduleReason,
  SupervisionEvent,
} from './supervision.events';

/**
 * A change of reference data that running clocks are counted again under:
 * - `calendar`: a year loaded or corrected; `calendar` is the whole official calendar with
 *   it (as it stands, or as an administrator proposes it);
 * - `deadline_policy`: a policy version an administrator applied to running clocks; with
 *   `policies`, every policy as it stands with that version, each running clock of its
 *   obligation is selected again as if it had started under them (see `policyFor`).
 */
export type Recount =
  | {
      readonly kind: 'calendar';
      readonly year: number;
      readonly version: number;
      readonly calendar: WorkingCalendar;
    }
  | {
      readonly kind: 'deadline_policy';
      readonly policy: VersionedDeadlinePolicy;
      readonly policies: readonly VersionedDeadlinePolicy[];
      readonly calendar: WorkingCalendar;
    };

/** One clock a recount moves: where it stood, where it goes, and what it now runs on. */
export interface ClockMove {
  readonly clockId: string;
  readonly obligation: Clock['obligation'];
  readonly departmentId: string | null;
  readonly previousDueAt: string;
  readonly dueAt: string;
  readonly previousWarnAt: string;
  readonly warnAt: string;
  /** The clock's light now, and the light it has at `now` once counted again. */
  readonly previousLight: Light;
  readonly light: Light;
  readonly basis: ClockBasis;
  readonly rules: ClockRules;
}

export const reasonOf = (recount: Recount): RescheduleReason =>
  recount.kind === 'calendar'
    ? { kind: 'calendar', year: recount.year, version: recount.version }
    : { kind: 'deadline_policy', code: recount.policy.code, version: recount.policy.version };

/**
 * The policy a running clock follows once `policy` applies to running clocks, or null when
 * the change is not for it. The clock is selected again among `policies` as it would be
 * started now — by the event that started it, on the case's facts, the most specific policy
 * of its obligation (`policiesStartedBy`) — and the change is for it when that selection is
 * the changed policy, or when it ran under the changed policy's code before: so a narrowed
 * `appliesTo` hands a clock on to the policy that now governs it, a new or widened policy
 * takes over the clocks it now governs, and a changed `startOn` lets go of the clocks
 * started by an event it no longer names. A clock nothing governs any more keeps its count.
 *
 * Paused time and extensions are lengths in the clock's unit: a policy in another unit
 * cannot take them over, so such a clock keeps its policy; nor does a policy without
 * co-handler clocks take over a co-handler's.
 */
export function policyFor(
  clock: Clock,
  state: LedgerCase,
  recount: Extract<Recount, { kind: 'deadline_policy' }>,
): VersionedDeadlinePolicy | null {
  const { basis } = clock;
  const changed = recount.policy;
  if (clock.obligation !== changed.obligation && basis.policy !== changed.code) return null;
  const chosen = policiesStartedBy(basis.startedBy, state, recount.policies).find(
    (p) => p.obligation === clock.obligation,
  );
  if (chosen === undefined) return null;
  if (chosen.code !== changed.code && basis.policy !== changed.code) return null;
  if (chosen.code === basis.policy && chosen.version <= basis.policyVersion) return null;
  const carried = basis.pauses.length > 0 || basis.extensions.length > 0;
  if (carried && chosen.period.unit !== basis.unit) return null;
  if (clock.holderRole === 'co' && !chosen.perCoHandler) return null;
  return chosen;
}

function followPolicy(
  clock: Clock,
  policy: VersionedDeadlinePolicy,
): { basis: ClockBasis; rules: ClockRules } {
  const { basis } = clock;
  return {
    basis: {
      ...basis,
      policy: policy.code,
      policyVersion: policy.version,
      policyName: policy.name,
      article: policy.article,
      note: policy.basis,
      unit: policy.period.unit,
      length: policy.period.length,
    },
    rules: rulesOf(policy),
  };
}

const lightAt = (dueAt: string, warnAt: string, now: string): Light =>
  dueAt <= now ? 'red' : warnAt <= now ? 'yellow' : 'green';

function recountClock(
  clock: Clock,
  state: LedgerCase,
  recount: Recount,
  now: string,
): ClockMove | null {
  // A breached clock stays breached and a met one is history; a paused clock is counted
  // again when it resumes, on the calendar then in force.
  if (clock.state !== 'running') return null;
  let followed = { basis: clock.basis, rules: clock.rules };
  if (recount.kind === 'deadline_policy') {
    const policy = policyFor(clock, state, recount);
    if (policy === null) return null;
    followed = followPolicy(clock, policy);
  }
  const timing = timingOf(
    recount.calendar,
    clock.startedAt,
    followed.basis,
    followed.rules.warnBefore,
  );
  const unchanged =
    timing.dueAt === clock.dueAt &&
    timing.warnAt === clock.warnAt &&
    timing.fallback === clock.basis.calendarFallback;
  // A calendar moves only the clocks whose count it changes (or that no longer count on
  // weekends alone); a policy applied to running clocks moves every clock it is for.
  if (recount.kind === 'calendar' && unchanged) return null;
  return {
    clockId: clock.clockId,
    obligation: clock.obligation,
    departmentId: clock.departmentId,
    previousDueAt: clock.dueAt,
    dueAt: timing.dueAt,
    previousWarnAt: clock.warnAt,
    warnAt: timing.warnAt,
    previousLight: clockLight(clock) ?? 'green',
    light: lightAt(timing.dueAt, timing.warnAt, now),
    basis: {
      ...followed.basis,
      calendarVersion: recount.calendar.version,
      calendarFallback: timing.fallback,
    },
    rules: followed.rules,
  };
}

/**
 * Which of a case's clocks a change of reference data moves, and to what: each running
 * clock counted again from its start with its period, extensions and paused time, on the
 * calendar with the change (issue 17). Pure, so a preview and the reschedule itself give
 * the same answer, and deciding twice on the state the first decision left moves nothing.
 */
export function clockMoves(state: LedgerCase, recount: Recount, now: Date): ClockMove[] {
  const at = now.toISOString();
  return state.deadlines.flatMap((clock) => recountClock(clock, state, recount, at) ?? []);
}

/** The moves as supervision's events on the case's stream (`DeadlineRescheduled`). */
export function rescheduleEvents(
  state: LedgerCase,
  recount: Recount,
  now: Date,
): SupervisionEvent[] {
  const reason = reasonOf(recount);
  return clockMoves(state, recount, now).map((move) => ({
    type: 'DeadlineRescheduled',
    data: {
      caseId: state.id,
      clockId: move.clockId,
      obligation: move.obligation,
      departmentId: move.departmentId,
      previousDueAt: move.previousDueAt,
      dueAt: move.dueAt,
      previousWarnAt: move.previousWarnAt,
      warnAt: move.warnAt,
      reason,
      basis: move.basis,
      rules: move.rules,
    },
  }));
}
