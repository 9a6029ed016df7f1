import { DEFAULT_CALENDAR_YEARS, WorkingCalendar, type Period } from '@casegrid/calendar';
import { DEFAULT_DEADLINE_POLICIES } from '@casegrid/deadlines';
import { UnavailableError, uuidv7 } from '@casegrid/kernel';
import type { ReferenceReader } from '@casegrid/runtime';
import type { ClockContext, TickContext, VersionedDeadlinePolicy } from '@casegrid/supervision';

/** How long a read of the reference data is used before it is read again. */
export const CONTEXT_TTL_MS = 1_000;

/**
 * What the clock engine counts with, read from supervision's own copy of reference data
 * (never intake's tables): the deadline policies as they stand, the official calendar
 * years and the departments' regions. Kept for a second, so a burst of events does not
 * read them per event, and an administrator's change reaches clocks started a second
 * later. Each clock records the policy version and calendar version it counted on.
 */
export class ClockContextSource {
  private cached: { at: number; value: ClockContext & TickContext } | undefined;

  constructor(
    private readonly reference: ReferenceReader,
    private readonly escalationInterval: Period,
  ) {}

  async get(): Promise<ClockContext & TickContext> {
    const now = Date.now();
    if (this.cached && now - this.cached.at < CONTEXT_TTL_MS) return this.cached.value;
    const value = await this.load();
    this.cached = { at: now, value };
    return value;
  }

  /** Read now, past the cache (the reschedule worker counts on the change it works for). */
  async load(): Promise<ClockContext & TickContext> {
    const [policies, calendars, departments] = await Promise.all([
      this.reference.list('deadline_policy'),
      this.reference.list('calendar'),
      this.reference.list('department'),
    ]);
    // Counting on a calendar or policy set that is still arriving would be a silent wrong
    // answer (a year not yet here counts weekends only; a policy not yet here starts no
    // clock): hold the event (the consumer retries it) until every seeded year and policy
    // has replicated. Neither can be deleted, so once here they stay; later years an
    // administrator adds are counted once they arrive, and years beyond them fall back
    // visibly (basis.calendarFallback).
    const years = new Set(calendars.map((c) => c.year));
    const codes = new Set(policies.map((p) => p.code));
    const missing = [
      ...DEFAULT_CALENDAR_YEARS.filter((y) => !years.has(y.year)).map((y) => `calendar ${y.year}`),
      ...DEFAULT_DEADLINE_POLICIES.filter((p) => !codes.has(p.code)).map((p) => `policy ${p.code}`),
    ];
    if (missing.length > 0) {
      throw new UnavailableError(
        `supervision's reference data is still replicating: no ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''} yet`,
      );
    }
    const regions = new Map(departments.map((d) => [d.id, d.regionCode]));
    const value: ClockContext & TickContext = {
      policies: policies as unknown as VersionedDeadlinePolicy[],
      calendar: WorkingCalendar.fromYears(
        calendars.map((c) => ({
          year: c.year,
          holidays: c.holidays,
          makeupWorkdays: c.makeupWorkdays,
          version: c.version,
        })),
      ),
      escalationInterval: this.escalationInterval,
      regionOf: (id) => regions.get(id),
      newId: () => uuidv7(),
    };
    return value;
  }
}
