import { Injectable, type OnModuleInit } from '@nestjs/common';
import { CALENDAR_SEED } from '@casegrid/calendar';
import { CalendarRepository } from './calendar.repository';
import { checkCalendar, type Calendar } from './calendar.validator';

/** A year of the calendar seed (libs/calendar, a copy of the reference file; domain-rules §5). */
interface CalendarSeedYear {
  readonly year: number;
  readonly holidays: unknown;
  readonly makeupWorkdays: unknown;
  readonly source: string | { readonly primary: string; readonly stateCouncilNotice?: string[] };
}

/**
 * The seed's years, held to the rules every PUT is held to: a bad seed is our mistake and
 * stops the start, naming the year and the problems.
 */
export function readCalendarSeed(
  years: readonly CalendarSeedYear[] = CALENDAR_SEED,
  file = 'libs/calendar/src/seed/cn-holidays-2024-2026.json',
): { year: number; calendar: Calendar }[] {
  return years.map((entry, i) => {
    const checked = checkCalendar(String(entry.year), {
      holidays: entry.holidays,
      makeupWorkdays: entry.makeupWorkdays,
      source: sourceOf(entry.source),
    });
    if (!checked.ok) {
      const problems = checked.problems.map((p) => `${p.field}: ${p.message}`).join('; ');
      throw new Error(`calendar seed ${file}, year ${String(entry.year)}: ${problems}`);
    }
    if (years.findIndex((other) => other.year === entry.year) !== i) {
      throw new Error(`calendar seed ${file}: year ${entry.year} appears twice`);
    }
    return checked.value;
  });
}

/** The State Council notice is the authority; the data set that transcribes it follows. */
const sourceOf = (source: CalendarSeedYear['source']): string =>
  typeof source === 'string'
    ? source
    : `${(source.stateCouncilNotice ?? []).join(' ')} (via ${source.primary})`.trim();

/** Seeds the calendars on first start (before the HTTP server listens). */
@Injectable()
export class CalendarsSeeder implements OnModuleInit {
  constructor(private readonly repository: CalendarRepository) {}

  async onModuleInit(): Promise<void> {
    await this.repository.seedIfEmpty(readCalendarSeed());
  }
}
