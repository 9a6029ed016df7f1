import { chinaDate, dueAt, type WorkingCalendar } from '@casegrid/calendar';

/**
 * The statutory periods of the 信访工作条例 the petition file is bound by. All are calendar
 * days ("日"), counted by casegrid's rule (reference/domain-rules.md §0): the trigger day
 * is not counted, a last day that is a day off rolls to the next working day, and the
 * period ends at 24:00 (+08:00) of its last day.
 */
export const PERIODS = {
  /** Register, forward or assign and notify within 15 days of receipt. */
  petition_acceptance: { days: 15, article: '信访工作条例 第二十二条、第二十三条' },
  /** Handle within 60 days of acceptance. */
  petition_opinion: { days: 60, article: '信访工作条例 第三十四条' },
  /** The petitioner may ask for review within 30 days of receiving the written reply. */
  review_request: { days: 30, article: '信访工作条例 第三十五条' },
  review_decision: { days: 30, article: '信访工作条例 第三十五条' },
  /** The petitioner may ask for re-review within 30 days of the review opinion. */
  re_review_request: { days: 30, article: '信访工作条例 第三十六条' },
  /** Hearing (听证) days are added to it (Art 36¶2; petition.hearings.ts). */
  re_review_decision: { days: 30, article: '信访工作条例 第三十六条' },
} as const;
export type PeriodName = keyof typeof PERIODS;

/** Art 34: one extension, of at most 30 days, approved by the head of the organ. */
export const MAX_EXTENSION_DAYS = 30;
export const EXTENSION_ARTICLE = '信访工作条例 第三十四条';

/** The end of a period: the instant it ends and its last day (after rolling past days off). */
export interface PeriodEnd {
  readonly dueAt: Date;
  readonly lastDay: string;
  /** A date fell outside the calendar's loaded years: only weekends were known there. */
  readonly fallback: boolean;
}

/**
 * The shared working calendar (`@casegrid/calendar`). The adapter builds it from the
 * service's reference replica (`list('calendar')`), so an administrator's change to a year
 * reaches the petition service, and supervision counts the same days with the same code.
 */
export type StatutoryCalendar = WorkingCalendar;

export const periodEnd = (calendar: StatutoryCalendar, from: string, days: number): PeriodEnd => {
  const end = dueAt(calendar, new Date(from), { length: days, unit: 'calendar_days' });
  return { dueAt: end.dueAt, lastDay: end.lastDay ?? chinaDate(end.dueAt), fallback: end.fallback };
};

/** Within a period: before 24:00 of its last day (the end instant itself is already outside). */
export const isWithin = (at: string, end: PeriodEnd): boolean =>
  new Date(at).getTime() < end.dueAt.getTime();
