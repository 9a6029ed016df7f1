import seed from './seed/cn-holidays-2024-2026.json';
import type { CalendarYear } from './working-calendar';

/** The seed file as published, with its sources (intake validates and seeds it). */
export const CALENDAR_SEED = seed;

/**
 * The real 2024–2026 calendar (reference/cn-holidays-2024-2026.json, from the State
 * Council's notices): what intake seeds on first start and what specs count on. Live
 * services count on the years administered through `/calendars/{year}` instead.
 */
export const DEFAULT_CALENDAR_YEARS: readonly CalendarYear[] = CALENDAR_SEED.map((year) => ({
  year: year.year,
  holidays: year.holidays,
  makeupWorkdays: year.makeupWorkdays,
  version: 1,
}));
