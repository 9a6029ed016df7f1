import { versionFromIfMatch } from '@casegrid/platform';
import { type CalendarInput, type Checked } from '@casegrid/calendar';

/** The calendar body's rules live in the calendar lib: supervision's preview holds to them too. */
export {
  MAX_HOLIDAYS,
  MAX_MAKEUP_WORKDAYS,
  MAX_PROBLEMS,
  MAX_SOURCE_LENGTH,
  MAX_YEAR,
  MIN_YEAR,
  checkCalendar,
  checkYear,
  problemsOf,
  type Checked,
} from '@casegrid/calendar';
export type Calendar = CalendarInput;

/** `3`, `"3"` or `W/"3"` (the version as an entity tag); absent: unconditional. */
export function checkIfMatch(header: string | undefined): Checked<number | undefined> {
  const version = versionFromIfMatch(header);
  if (version !== 'malformed') return { ok: true, value: version };
  return {
    ok: false,
    problems: [
      { field: 'If-Match', message: 'must be the version of the calendar last read, e.g. "3"' },
    ],
  };
}
