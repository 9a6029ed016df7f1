import type { FieldError } from '@casegrid/kernel';

/**
 * What an administrator may load as a year's calendar (domain-rules §0, §5): the days off
 * by State Council notice (放假) and the weekend days worked instead (调休上班). Pure, so the
 * API, the seed and supervision's preview of a load are held to the same rules (specified
 * by intake's calendar.validator.unit.spec.ts).
 */
export interface CalendarInput {
  /** Days off, sorted; weekends that merely adjoin a holiday need not be listed. */
  readonly holidays: readonly string[];
  /** Saturdays and Sundays that are working days, sorted. */
  readonly makeupWorkdays: readonly string[];
  readonly source: string | null;
}

export const MIN_YEAR = 2000;
export const MAX_YEAR = 2100;
/** 13 statutory days plus the weekends inside the breaks come to ~35; 60 leaves room for local days. */
export const MAX_HOLIDAYS = 60;
export const MAX_MAKEUP_WORKDAYS = 20;
export const MAX_SOURCE_LENGTH = 200;
/** A hostile body (thousands of unknown properties) must not buy an answer many times its size. */
export const MAX_PROBLEMS = 100;

export type Checked<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problems: readonly FieldError[] };

const FIELDS: ReadonlySet<string> = new Set(['holidays', 'makeupWorkdays', 'source']);
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const SATURDAY = 6;
const SUNDAY = 0;

/** The `{year}` of the path: four digits, 2000–2100. */
export function checkYear(raw: string): Checked<number> {
  const year = /^\d{4}$/.test(raw) ? Number(raw) : NaN;
  if (year >= MIN_YEAR && year <= MAX_YEAR) return { ok: true, value: year };
  return fail([{ field: 'year', message: `must be a year from ${MIN_YEAR} to ${MAX_YEAR}` }]);
}

/**
 * A PUT's year and body, every problem of both at once. Each list stays inside its year;
 * with a wrong year in the path, the dates are checked for everything but that.
 */
export function checkCalendar(
  rawYear: string,
  body: unknown,
): Checked<{ year: number; calendar: CalendarInput }> {
  const year = checkYear(rawYear);
  const problems: FieldError[] = year.ok ? [] : [...year.problems];
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return fail([...problems, { field: 'body', message: 'must be an object' }]);
  }
  const fields = body as Record<string, unknown>;
  const inYear = year.ok ? year.value : undefined;
  for (const key of Object.keys(fields)) {
    if (FIELDS.has(key)) continue;
    problems.push({ field: key, message: `property ${key} should not exist` });
  }
  const holidays = dateList('holidays', fields['holidays'], MAX_HOLIDAYS, inYear, problems);
  const holidaySet = new Set(holidays);
  const makeupWorkdays = dateList(
    'makeupWorkdays',
    fields['makeupWorkdays'],
    MAX_MAKEUP_WORKDAYS,
    inYear,
    problems,
    (date, text) => [
      ...(isWeekend(date)
        ? []
        : ['must be a Saturday or Sunday: 调休 moves work onto weekend days']),
      ...(holidaySet.has(text) ? ['is also a holiday'] : []),
    ],
  );
  const source = checkSource(fields['source'], problems);
  if (problems.length > 0 || !year.ok) return fail(problems);
  return { ok: true, value: { year: year.value, calendar: { holidays, makeupWorkdays, source } } };
}

export const problemsOf = <T>(checked: Checked<T>): readonly FieldError[] =>
  checked.ok ? [] : checked.problems;

/**
 * A required list of distinct `YYYY-MM-DD` dates of `year`, sorted. A list over its limit
 * is refused whole, its items unread: that bounds the answer to a hostile body.
 */
function dateList(
  field: string,
  value: unknown,
  max: number,
  year: number | undefined,
  problems: FieldError[],
  more: (date: Date, text: string) => readonly string[] = () => [],
): string[] {
  if (!Array.isArray(value)) {
    problems.push({ field, message: 'must be a list of dates YYYY-MM-DD (may be empty)' });
    return [];
  }
  if (value.length > max) {
    problems.push({ field, message: `must have at most ${max} dates` });
    return [];
  }
  const seen = new Map<string, number>();
  value.forEach((item: unknown, i) => {
    const messages = dateProblems(item, year, more);
    if (typeof item === 'string' && messages.length === 0) {
      const first = seen.get(item);
      if (first === undefined) seen.set(item, i);
      else messages.push(`repeats ${field}[${first}]`);
    }
    if (messages.length > 0)
      problems.push({ field: `${field}[${i}]`, message: messages.join('; ') });
  });
  return [...seen.keys()].sort();
}

function dateProblems(
  item: unknown,
  year: number | undefined,
  more: (date: Date, text: string) => readonly string[],
): string[] {
  const parts = typeof item === 'string' ? DATE.exec(item) : null;
  if (typeof item !== 'string' || parts === null) return ['must be a date YYYY-MM-DD'];
  const [y, m, d] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const date = new Date(0);
  date.setUTCFullYear(y, m - 1, d);
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    return ['is not a date of the calendar'];
  }
  return [...(year === undefined || y === year ? [] : [`must be in ${year}`]), ...more(date, item)];
}

function checkSource(value: unknown, problems: FieldError[]): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') {
    problems.push({ field: 'source', message: 'must be a string' });
  } else if ([...value].length > MAX_SOURCE_LENGTH) {
    problems.push({ field: 'source', message: `must be at most ${MAX_SOURCE_LENGTH} characters` });
  } else {
    return value;
  }
  return null;
}

const isWeekend = (date: Date): boolean =>
  date.getUTCDay() === SATURDAY || date.getUTCDay() === SUNDAY;

function fail(problems: readonly FieldError[]): { ok: false; problems: readonly FieldError[] } {
  if (problems.length <= MAX_PROBLEMS) return { ok: false, problems };
  const more = problems.length - MAX_PROBLEMS;
  return {
    ok: false,
    problems: [
      ...problems.slice(0, MAX_PROBLEMS),
      { field: '*', message: `${more} more problem(s) left out` },
    ],
  };
}
