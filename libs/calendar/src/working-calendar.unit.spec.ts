import fc from 'fast-check';
import { addDays, dayNumber, fromDayNumber } from './civil-date';
import { DEFAULT_CALENDAR_YEARS } from './default-years';
import { WorkingCalendar } from './working-calendar';

const calendar = WorkingCalendar.fromYears(DEFAULT_CALENDAR_YEARS);
const FIRST = dayNumber('2024-01-01');
const LAST = dayNumber('2026-12-31');
/** Any date of the loaded years, leaving room for the counts below to stay inside them. */
const loadedDate = fc.integer({ min: FIRST, max: LAST - 120 }).map(fromDayNumber);
const anyDate = fc
  .integer({ min: dayNumber('2020-01-01'), max: dayNumber('2030-12-31') })
  .map(fromDayNumber);
const count = fc.integer({ min: 0, max: 60 });

describe('WorkingCalendar on the real 2024–2026 calendar', () => {
  describe('properties', () => {
    it('adding n working days, then counting back, gives n', () => {
      fc.assert(
        fc.property(anyDate, count, (date, n) => {
          expect(calendar.workingDaysBetween(date, calendar.addWorkingDays(date, n))).toBe(n);
        }),
        { numRuns: 2000 },
      );
    });

    it('is monotonic: more working days never end earlier', () => {
      fc.assert(
        fc.property(anyDate, count, count, (date, a, b) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          const end = (n: number) => dayNumber(calendar.addWorkingDays(date, n));
          expect(end(lo)).toBeLessThanOrEqual(end(hi));
          if (lo < hi) expect(end(lo)).toBeLessThan(end(hi));
        }),
        { numRuns: 2000 },
      );
    });

    it('never lands on a day off, forwards or backwards', () => {
      fc.assert(
        fc.property(anyDate, fc.integer({ min: 1, max: 60 }), (date, n) => {
          expect(calendar.isWorkingDay(calendar.addWorkingDays(date, n))).toBe(true);
          expect(calendar.isWorkingDay(calendar.addWorkingDays(date, -n))).toBe(true);
        }),
        { numRuns: 2000 },
      );
    });

    it('going back n working days undoes going forward n, from a working day', () => {
      fc.assert(
        fc.property(loadedDate, count, (date, n) => {
          const from = calendar.workingDayOnOrAfter(date);
          expect(calendar.addWorkingDays(calendar.addWorkingDays(from, n), -n)).toBe(from);
        }),
        { numRuns: 1000 },
      );
    });

    it('counts each working day once: between is additive', () => {
      fc.assert(
        fc.property(loadedDate, count, count, (a, x, y) => {
          const b = addDays(a, x);
          const c = addDays(b, y);
          expect(calendar.workingDaysBetween(a, c)).toBe(
            calendar.workingDaysBetween(a, b) + calendar.workingDaysBetween(b, c),
          );
          expect(calendar.workingDaysBetween(c, a)).toBe(0 - calendar.workingDaysBetween(a, c));
        }),
      );
    });
  });

  describe('the days of the official calendar', () => {
    it.each([
      ['2025-10-01', 'holiday'],
      ['2025-10-08', 'holiday'],
      ['2025-10-11', 'makeup_workday'], // a Saturday worked for National Day 2025
      ['2025-09-28', 'makeup_workday'], // a Sunday worked
      ['2025-10-12', 'weekend'],
      ['2025-10-09', 'working'],
      ['2026-02-14', 'makeup_workday'],
      ['2026-02-15', 'holiday'],
      ['2026-02-23', 'holiday'],
      ['2026-02-24', 'working'],
      ['2024-02-18', 'makeup_workday'],
      ['2024-06-10', 'holiday'],
    ] as const)('%s is %s', (date, kind) => {
      expect(calendar.dayKind(date)).toBe(kind);
    });

    it('has every holiday off and every make-up day on, for all three years', () => {
      for (const year of DEFAULT_CALENDAR_YEARS) {
        for (const day of year.holidays) expect([day, calendar.isDayOff(day)]).toEqual([day, true]);
        for (const day of year.makeupWorkdays) {
          expect([day, calendar.isWorkingDay(day)]).toEqual([day, true]);
        }
      }
    });

    it('covers 2024–2026 and falls back to weekends alone, visibly, outside them', () => {
      expect(calendar.covers('2026-12-31')).toBe(true);
      expect(calendar.covers('2027-01-01')).toBe(false);
      expect(calendar.coversRange('2026-12-20', '2027-01-10')).toBe(false);
      // 2027-01-01 is a Friday: the fallback does not know it is New Year's Day.
      expect(calendar.isWorkingDay('2027-01-01')).toBe(true);
      expect(calendar.isDayOff('2027-01-02')).toBe(true);
      expect(calendar.version).toBe('2024.1+2025.1+2026.1');
      expect(WorkingCalendar.fromYears([]).version).toBe('weekends-only');
    });

    it('refuses a year given twice and a count that is not whole', () => {
      expect(() =>
        WorkingCalendar.fromYears([...DEFAULT_CALENDAR_YEARS, DEFAULT_CALENDAR_YEARS[0]!]),
      ).toThrow(/2024 given twice/);
      expect(() => calendar.addWorkingDays('2025-01-02', 1.5)).toThrow(RangeError);
    });
  });
});
