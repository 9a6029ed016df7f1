import { addDays, dayNumber, weekday, yearOf, type CivilDate } from './civil-date';

/** One year of the official calendar (全国年节及纪念日放假办法 and the State Council's notice). */
export interface CalendarYear {
  readonly year: number;
  /** Public holidays (法定节假日 and the days off joined to them). */
  readonly holidays: readonly CivilDate[];
  /** 调休: Saturdays and Sundays that are working days. */
  readonly makeupWorkdays: readonly CivilDate[];
  /** The record's version as administered through `/calendars/{year}`. */
  readonly version?: number;
}

export type DayKind = 'working' | 'weekend' | 'holiday' | 'makeup_workday';

/**
 * Working days on the official calendar: public holidays off, make-up workdays on, and
 * every other Saturday and Sunday off. A date in a year that is not loaded is counted on
 * weekends alone — an explicit fallback that every answer reports (`covers`), never a
 * silent guess: periods that touch such a year say so in their result and basis.
 */
export class WorkingCalendar {
  /** Names the data counted on, e.g. `2024.1+2025.1+2026.2`; a clock records it. */
  readonly version: string;
  readonly years: readonly number[];
  private readonly holidays: ReadonlySet<CivilDate>;
  private readonly makeup: ReadonlySet<CivilDate>;
  private readonly loaded: ReadonlySet<number>;

  private constructor(years: readonly CalendarYear[]) {
    const sorted = [...years].sort((a, b) => a.year - b.year);
    this.years = sorted.map((y) => y.year);
    this.loaded = new Set(this.years);
    this.holidays = new Set(sorted.flatMap((y) => y.holidays));
    this.makeup = new Set(sorted.flatMap((y) => y.makeupWorkdays));
    this.version =
      sorted.length === 0
        ? 'weekends-only'
        : sorted.map((y) => `${y.year}.${y.version ?? 1}`).join('+');
  }

  static fromYears(years: readonly CalendarYear[]): WorkingCalendar {
    const seen = new Set<number>();
    for (const year of years) {
      if (seen.has(year.year)) throw new RangeError(`calendar year ${year.year} given twice`);
      seen.add(year.year);
    }
    return new WorkingCalendar(years);
  }

  /** Whether the official calendar of the date's year is loaded (else: weekends only). */
  covers(date: CivilDate): boolean {
    return this.loaded.has(yearOf(date));
  }

  /** Whether every date from `from` to `to` (inclusive) lies in a loaded year. */
  coversRange(from: CivilDate, to: CivilDate): boolean {
    for (let year = yearOf(from); year <= yearOf(to); year += 1) {
      if (!this.loaded.has(year)) return false;
    }
    return true;
  }

  dayKind(date: CivilDate): DayKind {
    if (this.makeup.has(date)) return 'makeup_workday';
    if (this.holidays.has(date)) return 'holiday';
    const day = weekday(date);
    return day === 0 || day === 6 ? 'weekend' : 'working';
  }

  isWorkingDay(date: CivilDate): boolean {
    const kind = this.dayKind(date);
    return kind === 'working' || kind === 'makeup_workday';
  }

  /** A public holiday, or a Saturday/Sunday that is not a make-up workday. */
  isDayOff(date: CivilDate): boolean {
    return !this.isWorkingDay(date);
  }

  /** The first working day on or after `date`. */
  workingDayOnOrAfter(date: CivilDate): CivilDate {
    let day = date;
    while (this.isDayOff(day)) day = addDays(day, 1);
    return day;
  }

  /**
   * The `n`-th working day after `date` (n ≥ 1; the date itself is not counted), or for
   * n ≤ -1 the |n|-th working day before it. `n = 0` is `date` itself.
   */
  addWorkingDays(date: CivilDate, n: number): CivilDate {
    if (!Number.isInteger(n)) throw new RangeError(`not a whole number of working days: ${n}`);
    const step = n < 0 ? -1 : 1;
    let day = date;
    for (let left = Math.abs(n); left > 0;) {
      day = addDays(day, step);
      if (this.isWorkingDay(day)) left -= 1;
    }
    return day;
  }

  /** Working days `d` with `from < d ≤ to` (negative when `to` is before `from`). */
  workingDaysBetween(from: CivilDate, to: CivilDate): number {
    const [a, b, sign] = dayNumber(from) <= dayNumber(to) ? [from, to, 1] : [to, from, -1];
    let count = 0;
    for (let day = addDays(a, 1); dayNumber(day) <= dayNumber(b); day = addDays(day, 1)) {
      if (this.isWorkingDay(day)) count += 1;
    }
    // Never -0: a period of no working days is 0 whichever way it is counted.
    return count === 0 ? 0 : sign * count;
  }
}
