import { elapsed, type WorkingCalendar } from '@casegrid/calendar';
import { IllegalStateError } from '@casegrid/kernel';
import { timingOf } from './clock.policies';
import type { Clock, LedgerCase } from './ledger.state';
import type { ClockExtension, SupervisionEvent } from './supervision.events';

/**
 * Pausing (中止), resuming and extending (延期) a clock: the same three changes whether an
 * event of another service asks for them (a hearing during a re-review, a petition's
 * approved extension) or a person records them with the approving leader named. The due
 * time always comes from the basis — period + extensions + paused time — on the calendar.
 */
export function pauseClock(
  state: LedgerCase,
  clock: Clock,
  pause: { at: string; reason: string; approvedBy: string | null; by: string },
): SupervisionEvent {
  return { type: 'DeadlinePaused', data: { caseId: state.id, clockId: clock.clockId, ...pause } };
}

export function resumeClock(
  state: LedgerCase,
  clock: Clock,
  at: string,
  by: string,
  calendar: WorkingCalendar,
): SupervisionEvent {
  const pausedAt = clock.pausedAt ?? at;
  const length = elapsed(calendar, new Date(pausedAt), new Date(at), clock.basis.unit);
  const pauses = clock.basis.pauses.map((p) => (p.to === null ? { ...p, to: at, length } : p));
  const timing = timingOf(
    calendar,
    clock.startedAt,
    { ...clock.basis, pauses },
    clock.rules.warnBefore,
  );
  return {
    type: 'DeadlineResumed',
    data: {
      caseId: state.id,
      clockId: clock.clockId,
      at,
      pausedLength: length,
      dueAt: timing.dueAt,
      warnAt: timing.warnAt,
      by,
    },
  };
}

/** Why the policy the clock started under does not allow this extension, or null when it does. */
export function extensionRefusal(
  clock: Clock,
  extension: ClockExtension,
): IllegalStateError | null {
  const { maxTimes, maxTotal } = clock.rules.extension;
  const policy = `policy ${clock.basis.policy} (v${clock.basis.policyVersion})`;
  if (maxTimes === 0) {
    return new IllegalStateError(
      `${policy} allows no extension of ${clock.obligation}`,
      'deadline.extension_not_allowed',
    );
  }
  if (clock.basis.extensions.length >= maxTimes) {
    return new IllegalStateError(
      `${policy} allows ${maxTimes} extension(s) of ${clock.obligation}, already granted`,
      'deadline.extensions_used',
    );
  }
  const total = clock.basis.extensions.reduce((sum, e) => sum + e.length, 0) + extension.length;
  if (maxTotal !== null && maxTotal.unit === clock.basis.unit && total > maxTotal.length) {
    return new IllegalStateError(
      `${policy} allows extensions of ${clock.obligation} of at most ${maxTotal.length} ${maxTotal.unit} in all`,
      'deadline.extension_too_long',
    );
  }
  return null;
}

export function extendClock(
  state: LedgerCase,
  clock: Clock,
  extension: ClockExtension,
  calendar: WorkingCalendar,
): SupervisionEvent {
  const extensions = [...clock.basis.extensions, extension];
  const timing = timingOf(
    calendar,
    clock.startedAt,
    { ...clock.basis, extensions },
    clock.rules.warnBefore,
  );
  return {
    type: 'DeadlineExtended',
    data: {
      caseId: state.id,
      clockId: clock.clockId,
      extension,
      dueAt: timing.dueAt,
      warnAt: timing.warnAt,
    },
  };
}
