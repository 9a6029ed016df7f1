import { dueAt, type DueTime, type Period, type WorkingCalendar } from '@casegrid/calendar';

/** 司法确认: apply within 30日 of the agreement taking effect (人民调解法 Art 33; 民诉法 Art 205). */
export const JUDICIAL_CONFIRMATION_PERIOD: Period = { length: 30, unit: 'calendar_days' };

/**
 * The window for the joint application, as casegrid reads it:
 * - the agreement takes effect when the parties sign (人民调解法 Art 29), so `signedAt`
 *   starts it;
 * - counting starts the day after the China date of `signedAt`: that day is day 1
 *   (民法典 Art 201; 民诉法 Art 85), so day 30 is the last day;
 * - a last day that is a day off (a public holiday, or a weekend day that is not a 调休
 *   make-up workday) moves to the first working day after it (casegrid's rule,
 *   reference/domain-rules.md §0);
 * - the window ends at 24:00 China time of that last day (民法典 Art 203), exclusive:
 *   `requestedAt` is inside when `signedAt <= requestedAt < dueAt`.
 */
export const judicialConfirmationWindow = (calendar: WorkingCalendar, signedAt: Date): DueTime =>
  dueAt(calendar, signedAt, JUDICIAL_CONFIRMATION_PERIOD);

/** Whether `requestedAt` lies in the window that opened at `signedAt` and ends at `dueAt`. */
export const isWithinWindow = (signedAt: string, dueAtIso: string, requestedAt: string): boolean =>
  Date.parse(signedAt) <= Date.parse(requestedAt) && Date.parse(requestedAt) < Date.parse(dueAtIso);
