import type { Pool, PoolClient } from 'pg';
import { quoteSchema, type Queryable } from '@casegrid/event-store';
import { systemActor, type ReferenceContext, type ReferencePublisher } from '@casegrid/runtime';
import { ConcurrencyError } from '@casegrid/kernel';
import type { Calendar } from './calendar.validator';

/** A year's calendar as stored: its dates sorted, and the version If-Match names. */
export interface CalendarRecord extends Calendar {
  readonly year: number;
  readonly version: number;
}

export interface CalendarVersion {
  readonly year: number;
  readonly version: number;
}

export interface CalendarWrite {
  readonly record: CalendarRecord;
  /** The year had no calendar before this write. */
  readonly created: boolean;
}

// Dates leave the database as text: node-postgres would turn a `date` into a local midnight.
const RECORD_COLUMNS = `year,
  array(select to_char(d, 'YYYY-MM-DD') from unnest(holidays) d order by d) as holidays,
  array(select to_char(d, 'YYYY-MM-DD') from unnest(makeup_workdays) d order by d)
    as "makeupWorkdays",
  source, version`;

/** Advisory lock key: one per schema, held by every transaction that writes calendars. */
const lockKey = (schema: string): string => `casegrid:calendars:${schema}`;

/** The holiday calendars in intake's schema, one row per year: plain SQL over the pool. */
export class CalendarRepository {
  private readonly s: string;
  private readonly lock: string;
  constructor(
    private readonly pool: Pool,
    schema: string,
    private readonly publisher: ReferencePublisher,
  ) {
    this.s = quoteSchema(schema);
    this.lock = lockKey(schema);
  }

  async get(year: number, db: Queryable = this.pool): Promise<CalendarRecord | undefined> {
    const { rows } = await db.query<CalendarRecord>(
      `select ${RECORD_COLUMNS} from ${this.s}.calendars where year = $1`,
      [year],
    );
    return rows[0];
  }

  /** Every year loaded, in order (at most the 101 years a calendar may have: no paging). */
  async years(): Promise<CalendarVersion[]> {
    const { rows } = await this.pool.query<CalendarVersion>(
      `select year, version from ${this.s}.calendars order by year`,
    );
    return rows;
  }

  /**
   * Loads or replaces a year's calendar; a replace bumps its version. `ConcurrencyError`
   * when `expectedVersion` is given and is not the year's version (a year not loaded is
   * at version 0, so If-Match on it always fails).
   */
  async put(
    year: number,
    calendar: Calendar,
    expectedVersion?: number,
    context: ReferenceContext = systemActor('intake'),
  ): Promise<CalendarWrite> {
    // The row and its CalendarChanged event commit together (casegrid.reference).
    return this.publisher.transaction((client) =>
      this.locked(client, async () => {
        const current = await this.get(year, client);
        const version = current?.version ?? 0;
        if (expectedVersion !== undefined && expectedVersion !== version) {
          throw new ConcurrencyError(`calendar-${year}`, expectedVersion, version);
        }
        const record =
          current === undefined
            ? await this.insert(client, year, calendar)
            : await this.replace(client, year, calendar);
        await this.publisher.publish(client, { kind: 'calendar', record }, context);
        return { record, created: current === undefined };
      }),
    );
  }

  /**
   * First start: the seed's years, all or none, only while the table is empty, so an
   * administrator's later edits are never overwritten and instances starting together
   * seed once. True when this call seeded.
   */
  async seedIfEmpty(years: readonly { year: number; calendar: Calendar }[]): Promise<boolean> {
    return this.publisher.transaction((client) =>
      this.locked(client, async () => {
        const { rows } = await client.query(`select 1 from ${this.s}.calendars limit 1`);
        if (rows.length > 0) return false;
        for (const { year, calendar } of years) {
          const record = await this.insert(client, year, calendar);
          await this.publisher.publish(client, { kind: 'calendar', record }, systemActor('intake'));
        }
        return true;
      }),
    );
  }

  private async insert(
    client: PoolClient,
    year: number,
    calendar: Calendar,
  ): Promise<CalendarRecord> {
    const { rows } = await client.query<CalendarRecord>(
      `insert into ${this.s}.calendars (year, holidays, makeup_workdays, source)
       values ($1, $2::date[], $3::date[], $4) returning ${RECORD_COLUMNS}`,
      [year, calendar.holidays, calendar.makeupWorkdays, calendar.source],
    );
    return first(rows);
  }

  private async replace(
    client: PoolClient,
    year: number,
    calendar: Calendar,
  ): Promise<CalendarRecord> {
    const { rows } = await client.query<CalendarRecord>(
      `update ${this.s}.calendars
          set holidays = $2::date[], makeup_workdays = $3::date[], source = $4,
              version = version + 1, updated_at = now()
        where year = $1 returning ${RECORD_COLUMNS}`,
      [year, calendar.holidays, calendar.makeupWorkdays, calendar.source],
    );
    return first(rows);
  }

  /**
   * Takes the calendars' advisory lock for the rest of the client's transaction, then runs
   * `work`. A year not loaded yet has no row to lock: without the lock, two administrators
   * loading it at once would both read "absent", and the second insert would fail on the
   * key instead of becoming version 2; the seed's "only while empty" needs the same.
   * Calendars change a few times a year, so one lock for the table costs nothing. Reads
   * take no lock.
   */
  private async locked<T>(client: PoolClient, work: () => Promise<T>): Promise<T> {
    await client.query('select pg_advisory_xact_lock(hashtext($1))', [this.lock]);
    return work();
  }
}

/** `returning` always yields the row written. */
function first<T>(rows: readonly T[]): T {
  const row = rows[0];
  if (row === undefined) throw new Error('the write returned no row');
  return row;
}
