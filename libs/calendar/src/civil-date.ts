/**
 * Civil dates (`YYYY-MM-DD`) and China Standard Time. Every day-based period in casegrid
 * is counted on the calendar of the centre's clocks, UTC+08:00 with no daylight saving
 * (since 1991), so a date's day number and its 24:00 are plain arithmetic.
 */
export type CivilDate = string;

const DAY_MS = 86_400_000;
/** China Standard Time: UTC+08:00, no daylight saving. */
export const CST_OFFSET_MS = 8 * 3_600_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 for a well-formed date; throws on anything else. */
export function dayNumber(date: CivilDate): number {
  const match = DATE.exec(date);
  if (!match) throw new RangeError(`not a date: ${JSON.stringify(date)}`);
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(y, m - 1, d);
  if (new Date(ms).getUTCDate() !== d) throw new RangeError(`not a date: ${date}`);
  return ms / DAY_MS;
}

export const fromDayNumber = (day: number): CivilDate =>
  new Date(day * DAY_MS).toISOString().slice(0, 10);

export const addDays = (date: CivilDate, days: number): CivilDate =>
  fromDayNumber(dayNumber(date) + days);

export const yearOf = (date: CivilDate): number => Number(date.slice(0, 4));

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export const weekday = (date: CivilDate): number => (((dayNumber(date) + 4) % 7) + 7) % 7;

/** The date in China on which an instant falls. */
export const chinaDate = (instant: Date): CivilDate =>
  new Date(instant.getTime() + CST_OFFSET_MS).toISOString().slice(0, 10);

/** 24:00 of a date in China, i.e. 00:00 of the next day (民法典 Art 203: the last day ends at 24:00). */
export const endOfChinaDay = (date: CivilDate): Date =>
  new Date((dayNumber(date) + 1) * DAY_MS - CST_OFFSET_MS);

/** 00:00 of a date in China. */
export const startOfChinaDay = (date: CivilDate): Date =>
  new Date(dayNumber(date) * DAY_MS - CST_OFFSET_MS);
