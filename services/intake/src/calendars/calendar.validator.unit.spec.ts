import {
  MAX_HOLIDAYS,
  MAX_MAKEUP_WORKDAYS,
  MAX_PROBLEMS,
  checkCalendar,
  checkIfMatch,
  checkYear,
  problemsOf,
} from './calendar.validator';
import { readCalendarSeed } from './calendars.seeder';

/**
 * What a year's calendar must be before it is stored (domain-rules §0, §5): the rules a PUT
 * and the seed are both held to, each problem of a request reported at once.
 */
const fieldsOf = (rawYear: string, body: unknown): string[] =>
  problemsOf(checkCalendar(rawYear, body)).map((p) => p.field);

const messageOf = (rawYear: string, body: unknown, field: string): string | undefined =>
  problemsOf(checkCalendar(rawYear, body)).find((p) => p.field === field)?.message;

describe('a calendar', () => {
  it('is accepted with its dates sorted and its source defaulting to none', () => {
    const checked = checkCalendar('2026', {
      holidays: ['2026-10-02', '2026-01-01', '2026-10-01'],
      makeupWorkdays: ['2026-10-10', '2026-09-20'],
    });
    expect(checked).toEqual({
      ok: true,
      value: {
        year: 2026,
        calendar: {
          holidays: ['2026-01-01', '2026-10-01', '2026-10-02'],
          makeupWorkdays: ['2026-09-20', '2026-10-10'],
          source: null,
        },
      },
    });
  });

  it('may be empty, and may name a weekend as a holiday', () => {
    expect(checkCalendar('2030', { holidays: [], makeupWorkdays: [], source: null }).ok).toBe(true);
    // 2026-01-03 is a Saturday inside the 元旦 break.
    expect(checkCalendar('2026', { holidays: ['2026-01-03'], makeupWorkdays: [] }).ok).toBe(true);
  });

  describe('its year', () => {
    it.each(['2000', '2026', '2100'])('accepts %s', (raw) => {
      expect(checkYear(raw)).toEqual({ ok: true, value: Number(raw) });
    });

    it.each(['1999', '2101', '20x6', '02026', '2026.0', '+2026', ' 2026', '', '1e3'])(
      'refuses %j',
      (raw) => {
        expect(problemsOf(checkYear(raw))).toEqual([
          { field: 'year', message: 'must be a year from 2000 to 2100' },
        ]);
      },
    );

    it('is reported with the body, whose dates are then checked for all but their year', () => {
      const body = { holidays: ['2026-01-01', 'soon'], makeupWorkdays: ['2026-02-16'] };
      expect(fieldsOf('1999', body)).toEqual(['year', 'holidays[1]', 'makeupWorkdays[0]']);
    });
  });

  describe('its dates', () => {
    it.each([
      ['2026-1-1', 'must be a date YYYY-MM-DD'],
      ['20260101', 'must be a date YYYY-MM-DD'],
      ['2026-01-01T00:00:00Z', 'must be a date YYYY-MM-DD'],
      [' 2026-01-01', 'must be a date YYYY-MM-DD'],
      [20260101, 'must be a date YYYY-MM-DD'],
      [null, 'must be a date YYYY-MM-DD'],
      ['2026-02-29', 'is not a date of the calendar'],
      ['2026-04-31', 'is not a date of the calendar'],
      ['2026-13-01', 'is not a date of the calendar'],
      ['2026-00-10', 'is not a date of the calendar'],
      ['2025-12-31', 'must be in 2026'],
      ['2027-01-01', 'must be in 2026'],
    ])('refuses the holiday %j: %s', (date, message) => {
      const body = { holidays: ['2026-01-01', date], makeupWorkdays: [] };
      expect(problemsOf(checkCalendar('2026', body))).toEqual([{ field: 'holidays[1]', message }]);
    });

    it('accepts 29 February of a leap year', () => {
      expect(checkCalendar('2028', { holidays: ['2028-02-29'], makeupWorkdays: [] }).ok).toBe(true);
    });

    it('refuses a date listed twice, naming the first', () => {
      const body = {
        holidays: ['2026-01-01', '2026-01-02', '2026-01-01'],
        makeupWorkdays: ['2026-02-14', '2026-02-14'],
      };
      expect(problemsOf(checkCalendar('2026', body))).toEqual([
        { field: 'holidays[2]', message: 'repeats holidays[0]' },
        { field: 'makeupWorkdays[1]', message: 'repeats makeupWorkdays[0]' },
      ]);
    });
  });

  describe('its make-up workdays', () => {
    it('must be Saturdays or Sundays: 调休 moves work onto weekend days', () => {
      // 2026-02-14 Saturday, 2026-09-20 Sunday, 2026-02-16 Monday.
      const body = { holidays: [], makeupWorkdays: ['2026-02-14', '2026-09-20', '2026-02-16'] };
      expect(messageOf('2026', body, 'makeupWorkdays[2]')).toMatch(/Saturday or Sunday/);
      expect(fieldsOf('2026', body)).toEqual(['makeupWorkdays[2]']);
    });

    it('must not be holidays as well', () => {
      const body = { holidays: ['2026-02-14'], makeupWorkdays: ['2026-02-14'] };
      expect(problemsOf(checkCalendar('2026', body))).toEqual([
        { field: 'makeupWorkdays[0]', message: 'is also a holiday' },
      ]);
    });

    it('stay inside their year, even when the notice of the next year moves a December day', () => {
      // 2027-01-02 is a Saturday.
      const body = { holidays: [], makeupWorkdays: ['2027-01-02'] };
      expect(messageOf('2026', body, 'makeupWorkdays[0]')).toBe('must be in 2026');
    });
  });

  describe('its lists', () => {
    it('are required lists', () => {
      expect(problemsOf(checkCalendar('2026', {}))).toEqual([
        { field: 'holidays', message: 'must be a list of dates YYYY-MM-DD (may be empty)' },
        { field: 'makeupWorkdays', message: 'must be a list of dates YYYY-MM-DD (may be empty)' },
      ]);
      expect(fieldsOf('2026', { holidays: '2026-01-01', makeupWorkdays: {} })).toEqual([
        'holidays',
        'makeupWorkdays',
      ]);
    });

    it(`hold at most ${MAX_HOLIDAYS} holidays and ${MAX_MAKEUP_WORKDAYS} make-up days, refused whole`, () => {
      const days = (n: number) =>
        Array.from({ length: n }, (_, i) =>
          new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10),
        );
      expect(checkCalendar('2026', { holidays: days(60), makeupWorkdays: [] }).ok).toBe(true);
      // Over the limit the items are not read: one problem each, not one per bad item.
      expect(
        problemsOf(checkCalendar('2026', { holidays: days(61), makeupWorkdays: days(21) })),
      ).toEqual([
        { field: 'holidays', message: 'must have at most 60 dates' },
        { field: 'makeupWorkdays', message: 'must have at most 20 dates' },
      ]);
    });
  });

  describe('its body', () => {
    it.each([[null], [[]], ['2026'], [42]])('must be an object, not %j', (body) => {
      expect(fieldsOf('2026', body)).toEqual(['body']);
    });

    it('refuses unknown properties, each by name', () => {
      const body = { holidays: [], makeupWorkdays: [], year: 2026, holidayRanges: [] };
      expect(problemsOf(checkCalendar('2026', body))).toEqual([
        { field: 'year', message: 'property year should not exist' },
        { field: 'holidayRanges', message: 'property holidayRanges should not exist' },
      ]);
    });

    it('takes a source of at most 200 characters', () => {
      const body = (source: unknown) => ({ holidays: [], makeupWorkdays: [], source });
      expect(checkCalendar('2026', body('国'.repeat(200))).ok).toBe(true);
      expect(messageOf('2026', body('国'.repeat(201)), 'source')).toBe(
        'must be at most 200 characters',
      );
      expect(messageOf('2026', body(7), 'source')).toBe('must be a string');
    });

    it('lists every problem at once', () => {
      const body = {
        holidays: ['2026-02-30', '2026-05-01', '2026-05-01', '2025-05-01'],
        makeupWorkdays: ['2026-05-01', 'Saturday'],
        source: ['gov.cn'],
        region: '370102',
      };
      expect(fieldsOf('2026', body)).toEqual([
        'region',
        'holidays[0]',
        'holidays[2]',
        'holidays[3]',
        'makeupWorkdays[0]',
        'makeupWorkdays[1]',
        'source',
      ]);
      // 2026-05-01 is a Friday and a holiday.
      expect(messageOf('2026', body, 'makeupWorkdays[0]')).toMatch(
        /Saturday or Sunday.*; is also a holiday$/,
      );
    });

    it(`answers a hostile body with at most ${MAX_PROBLEMS} problems and a summary`, () => {
      const body = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`x${i}`, i]));
      const problems = problemsOf(checkCalendar('2026', body));
      expect(problems).toHaveLength(MAX_PROBLEMS + 1);
      expect(problems.at(-1)).toEqual({ field: '*', message: '4902 more problem(s) left out' });
    });
  });
});

describe('If-Match on a calendar', () => {
  it.each([
    [undefined, undefined],
    ['3', 3],
    ['"3"', 3],
    ['W/"12"', 12],
  ])('reads %j as %j', (header, version) => {
    expect(checkIfMatch(header)).toEqual({ ok: true, value: version });
  });

  it.each(['soon', '0', '-1', '"3', '*', ''])('refuses %j', (header) => {
    expect(problemsOf(checkIfMatch(header)).map((p) => p.field)).toEqual(['If-Match']);
  });
});

describe('the seeded calendars (seed/cn-holidays-2024-2026.json)', () => {
  const seed = readCalendarSeed();
  const year = (y: number) => seed.find((s) => s.year === y)!.calendar;

  it('are 2024, 2025 and 2026, each passing the rules every PUT passes', () => {
    expect(seed.map((s) => s.year)).toEqual([2024, 2025, 2026]);
  });

  it('hold the days of the State Council notices', () => {
    expect(year(2024).holidays).toHaveLength(28);
    expect(year(2025).makeupWorkdays).toEqual([
      '2025-01-26',
      '2025-02-08',
      '2025-04-27',
      '2025-09-28',
      '2025-10-11',
    ]);
    const y2026 = year(2026);
    expect(y2026.makeupWorkdays).toEqual(expect.arrayContaining(['2026-02-14', '2026-02-28']));
    expect(y2026.holidays).toEqual(
      expect.arrayContaining([1, 2, 3, 4, 5, 6, 7].map((d) => `2026-10-0${d}`)),
    );
    expect(y2026.holidays).not.toContain('2026-10-08');
  });

  it('name the State Council notice and the data set as their source', () => {
    expect(year(2026).source).toBe(
      'https://www.gov.cn/zhengce/zhengceku/202511/content_7047091.htm (via https://github.com/NateScarlet/holiday-cn/blob/d4e53bf2143de9a85bbd0a916c6c4adac32b075f/2026.json)',
    );
  });
});
