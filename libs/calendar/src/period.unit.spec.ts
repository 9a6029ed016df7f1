import { DEFAULT_CALENDAR_YEARS } from './default-years';
import { dueAt, elapsed, warnAt, type Period } from './period';
import { WorkingCalendar } from './working-calendar';

const calendar = WorkingCalendar.fromYears(DEFAULT_CALENDAR_YEARS);
const at = (iso: string) => new Date(iso);
const days = (length: number): Period => ({ length, unit: 'calendar_days' });
const workingDays = (length: number): Period => ({ length, unit: 'working_days' });
const hours = (length: number): Period => ({ length, unit: 'hours' });

/** 24:00 China time of a date, as the instant it is. */
const endOf = (date: string) => new Date(`${date}T00:00:00+08:00`).getTime() + 86_400_000;

describe('dueAt on the real calendar, around every kind of day', () => {
  // [trigger instant (China time), period, last day]
  it.each([
    // calendar days: the trigger day is not counted; a last day off rolls forward
    ['2025-09-30T10:00:00+08:00', days(1), '2025-10-09'], // 10-01..08 National Day → next working day
    ['2025-09-26T10:00:00+08:00', days(15), '2025-10-11'], // a make-up Saturday does not roll
    ['2025-09-27T10:00:00+08:00', days(15), '2025-10-13'], // an ordinary Sunday rolls to Monday
    ['2025-09-20T10:00:00+08:00', days(15), '2025-10-09'], // a letter's 15 days end in the holiday
    ['2025-09-30T10:00:00+08:00', days(60), '2025-12-01'], // 11-29 is a Saturday
    ['2025-09-30T23:59:00+08:00', days(1), '2025-10-09'], // late at night is still the 30th in China
    ['2025-09-30T16:30:00Z', days(1), '2025-10-09'], // 00:30 on 10-01 in China: starts the 1st
    ['2026-02-13T09:00:00+08:00', days(5), '2026-02-24'], // Spring Festival 2026: 02-15..23 off
    ['2026-02-09T09:00:00+08:00', days(5), '2026-02-14'], // …and 02-14 is a make-up Saturday
    ['2024-04-01T09:00:00+08:00', days(4), '2024-04-07'], // Qingming 2024: 04-07 Sunday worked
    ['2024-12-30T09:00:00+08:00', days(2), '2025-01-02'], // across New Year into the next year
    // working days: the n-th working day after the trigger day
    ['2025-09-30T10:00:00+08:00', workingDays(1), '2025-10-09'],
    ['2025-09-26T10:00:00+08:00', workingDays(1), '2025-09-28'], // Sunday 09-28 is worked
    ['2025-09-26T10:00:00+08:00', workingDays(2), '2025-09-29'],
    ['2025-10-10T10:00:00+08:00', workingDays(1), '2025-10-11'], // Saturday 10-11 is worked
    ['2025-09-29T10:00:00+08:00', workingDays(5), '2025-10-13'], // 09-30, 10-09, 10-10, 10-11, 10-13
    ['2026-02-13T09:00:00+08:00', workingDays(1), '2026-02-14'],
    ['2026-02-13T09:00:00+08:00', workingDays(2), '2026-02-24'],
    ['2026-02-27T09:00:00+08:00', workingDays(1), '2026-02-28'], // 02-28 Saturday worked
    ['2024-02-09T09:00:00+08:00', workingDays(1), '2024-02-18'], // 02-10..17 off, Sunday 18th worked
    ['2024-05-10T09:00:00+08:00', workingDays(1), '2024-05-11'],
    ['2024-09-13T09:00:00+08:00', workingDays(1), '2024-09-14'], // Mid-Autumn 2024 make-up Saturday
    ['2025-09-30T10:00:00+08:00', workingDays(0), '2025-09-30'],
  ] as const)('%s + %o ends at 24:00 of %s', (start, period, lastDay) => {
    const due = dueAt(calendar, at(start), period);
    expect(due.lastDay).toBe(lastDay);
    expect(due.dueAt.getTime()).toBe(endOf(lastDay));
    expect(due.fallback).toBe(false);
  });

  it('counts hours as clock hours, holidays included', () => {
    expect(dueAt(calendar, at('2025-09-30T16:00:00+08:00'), hours(24))).toEqual({
      dueAt: at('2025-10-01T16:00:00+08:00'),
      lastDay: null,
      fallback: false,
    });
    expect(dueAt(calendar, at('2025-10-01T10:00:00+08:00'), hours(1.5)).dueAt).toEqual(
      at('2025-10-01T11:30:00+08:00'),
    );
  });

  it('says when it counted on weekends alone, beyond the loaded years', () => {
    const due = dueAt(calendar, at('2026-12-20T10:00:00+08:00'), days(15));
    expect(due).toMatchObject({ lastDay: '2027-01-04', fallback: true }); // 01-04 is a Monday
    expect(dueAt(calendar, at('2023-12-29T10:00:00+08:00'), workingDays(1)).fallback).toBe(true);
  });
});

describe('warnAt', () => {
  const start = at('2025-09-20T10:00:00+08:00');
  const due = dueAt(calendar, start, days(15)); // last day 2025-10-09

  it('warns the given days before the last day, at that day’s end', () => {
    expect(warnAt(calendar, start, due, days(3)).getTime()).toBe(endOf('2025-10-06'));
  });

  it('counts working days back over the holiday', () => {
    // one working day before 10-09 is 09-30
    expect(warnAt(calendar, start, due, workingDays(1)).getTime()).toBe(endOf('2025-09-30'));
  });

  it('warns hours before the due instant', () => {
    expect(warnAt(calendar, start, due, hours(4)).getTime()).toBe(
      endOf('2025-10-09') - 4 * 3_600_000,
    );
  });

  it('never warns before the clock started', () => {
    const short = dueAt(calendar, start, hours(2));
    expect(warnAt(calendar, start, short, hours(4))).toEqual(start);
  });
});

describe('elapsed', () => {
  it('measures a pause in the clock’s own unit', () => {
    const from = at('2025-09-29T15:00:00+08:00');
    const to = at('2025-10-10T09:00:00+08:00');
    expect(elapsed(calendar, from, to, 'hours')).toBe(258);
    expect(elapsed(calendar, from, to, 'calendar_days')).toBe(11);
    expect(elapsed(calendar, from, to, 'working_days')).toBe(3); // 09-30, 10-09, 10-10
    expect(elapsed(calendar, to, from, 'calendar_days')).toBe(0);
  });
});
