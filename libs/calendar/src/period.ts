import { addDays, chinaDate, endOfChinaDay, type CivilDate } from './civil-date';
import type { WorkingCalendar } from './working-calendar';

/** How a period is counted (reference/domain-rules.md §0, "casegrid's rule"). */
export const PERIOD_UNITS = ['working_days', 'calendar_days', 'hours'] as const;
export type PeriodUnit = (typeof PERIOD_UNITS)[number];

export interface Period {
  /** Whole units, except hours, which may be fractional (a pause of 90 minutes). */
  readonly length: number;
  readonly unit: PeriodUnit;
}

export interface DueTime {
  readonly dueAt: Date;
  /** The last day of a day-based period, after rolling past days off (null for hours). */
  readonly lastDay: CivilDate | null;
  /** Whether the count touched a year whose calendar is not loaded (weekends only). */
  readonly fallback: boolean;
}

const HOUR_MS = 3_600_000;

/**
 * When a period that starts at `start` ends (reference/domain-rules.md §0):
 * - `hours`: clock hours from the instant;
 * - `calendar_days` (民法典 Art 201, 203; 民诉法 Art 85): counting starts the day after the
 *   start day; a last day that is a day off — a public holiday, or a weekend day that is
 *   not a make-up workday — moves to the first working day after it; a make-up Saturday is
 *   a working day and does not move;
 * - `working_days`: the n-th working day after the start day.
 * A day-based period ends at 24:00 (China Standard Time) of its last day.
 */
export function dueAt(calendar: WorkingCalendar, start: Date, period: Period): DueTime {
  if (period.unit === 'hours') {
    return {
      dueAt: new Date(start.getTime() + period.length * HOUR_MS),
      lastDay: null,
      fallback: false,
    };
  }
  const startDay = chinaDate(start);
  const length = Math.max(0, Math.round(period.length));
  const lastDay =
    period.unit === 'working_days'
      ? length === 0
        ? startDay
        : calendar.addWorkingDays(startDay, length)
      : calendar.workingDayOnOrAfter(addDays(startDay, length));
  return {
    dueAt: endOfChinaDay(lastDay),
    lastDay,
    fallback: !calendar.coversRange(startDay, lastDay),
  };
}

/**
 * When to warn (黄灯): `before` ahead of the due time, in that period's own unit — hours
 * before it, or the end of the day that many calendar or working days before the last
 * day. Never before the clock started.
 */
export function warnAt(calendar: WorkingCalendar, start: Date, due: DueTime, before: Period): Date {
  let at: Date;
  if (before.unit === 'hours' || due.lastDay === null) {
    const hours = before.unit === 'hours' ? before.length : before.length * 24;
    at = new Date(due.dueAt.getTime() - hours * HOUR_MS);
  } else if (before.unit === 'calendar_days') {
    at = endOfChinaDay(addDays(due.lastDay, -before.length));
  } else {
    at = endOfChinaDay(calendar.addWorkingDays(due.lastDay, -before.length));
  }
  return at.getTime() < start.getTime() ? start : at;
}

/**
 * How much of a period's unit passed between two instants: clock hours, calendar days
 * between their dates, or working days after `from`'s date up to `to`'s. A pause (中止)
 * of the clock adds this much to its period when it resumes.
 */
export function elapsed(calendar: WorkingCalendar, from: Date, to: Date, unit: PeriodUnit): number {
  if (to.getTime() <= from.getTime()) return 0;
  if (unit === 'hours') return (to.getTime() - from.getTime()) / HOUR_MS;
  const a = chinaDate(from);
  const b = chinaDate(to);
  if (unit === 'calendar_days') {
    return Math.round((endOfChinaDay(b).getTime() - endOfChinaDay(a).getTime()) / (24 * HOUR_MS));
  }
  return calendar.workingDaysBetween(a, b);
}
