import type { Pool } from 'pg';
import type { CloudEvent } from '@casegrid/contracts';
import { quoteSchema, type Queryable } from '@casegrid/event-store';

/** A case event with its place in the log it was read from. */
export interface LoggedEvent {
  readonly seq: number;
  readonly event: CloudEvent;
}

/**
 * A copy of `casegrid.case-events` a projection can be rebuilt from: every case's events
 * in its canonical order (events of different cases may interleave in any order).
 */
export interface CanonicalSource {
  readonly name: string;
  /** Up to `limit` events after `after` (0 = from the beginning). */
  page(db: Queryable, after: number, limit: number): Promise<LoggedEvent[]>;
  /** How many events the live consumer has applied that this source does not hold yet. */
  lagBehind(db: Queryable, inboxSchema: string, consumer: string): Promise<number>;
}

/**
 * audit's store (`audit.case_events`), read in `global_seq` order: audit appends each
 * case's events in partition order, so each case's subsequence is canonical. Reading it
 * needs the audit schema's SELECT (the replay is an operator's tool; in production it
 * runs with a read-only login on audit's database).
 */
export class AuditStoreSource implements CanonicalSource {
  readonly name = 'audit';
  private readonly s: string;

  constructor(
    readonly pool: Pool,
    schema = 'audit',
  ) {
    this.s = quoteSchema(schema);
  }

  async page(db: Queryable, after: number, limit: number): Promise<LoggedEvent[]> {
    const { rows } = await db.query<{ global_seq: string; event: CloudEvent }>(
      `select global_seq, event from ${this.s}.case_events where global_seq > $1
       order by global_seq limit $2`,
      [after, limit],
    );
    return rows.map((r) => ({ seq: Number(r.global_seq), event: r.event }));
  }

  /** Same database only: the inbox and audit's store are compared in one query. */
  async lagBehind(db: Queryable, inboxSchema: string, consumer: string): Promise<number> {
    const { rows } = await db.query<{ n: string }>(
      `select count(*) as n from ${quoteSchema(inboxSchema)}.inbox i
       where i.consumer = $1
         and not exists (select 1 from ${this.s}.case_events a where a.event->>'id' = i.event_id)`,
      [consumer],
    );
    return Number(rows[0]!.n);
  }
}
