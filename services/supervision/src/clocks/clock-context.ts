import { WorkingCalendar, type Period } from '@casegrid/calendar';
import { UnavailableError, uuidv7 } from '@casegrid/kernel';
import type { ReferenceReader } from '@casegrid/runtime';
import type { ClockContext, TickContext, VersionedDeadlinePolicy } from '@casegrid/supervision';

const TTL_MS = 1_000;

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
    if (this.cached && now - this.cached.at < TTL_MS) return this.cached.value;
    const [policies, calendars, departments] = await Promise.all([
      this.reference.list('deadline_policy'),
      this.reference.list('calendar'),
      this.reference.list('department'),
    ]);
    // Counting on no calendar or no policies would be a silent wrong answer: hold the
    // event (the consumer retries it) until the reference data has replicated.
    if (policies.length === 0 || calendars.length === 0) {
      throw new UnavailableError(
        'supervision has no deadline policies or calendar yet: reference data is still replicating',
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
    this.cached = { at: now, value };
    return value;
  }
}
