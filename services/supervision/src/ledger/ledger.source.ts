import type { Pool } from 'pg';
import type { CloudEvent } from '@casegrid/contracts';
import {
  horizonSql,
  quoteSchema,
  readAfter,
  START,
  type Queryable,
  type ReadCheckpoint,
} from '@casegrid/event-store';

/** A case event as a source read it, with where it read it when the source is a topic. */
export interface LoggedEvent {
  readonly event: CloudEvent;
  readonly partition?: number;
  readonly offset?: string;
}

/** The live consumer a rebuild catches up with: its inbox and positions are in `schema`. */
export interface LiveConsumer {
  readonly schema: string;
  readonly group: string;
}

/**
 * A copy of `casegrid.case-events` a projection can be rebuilt from: every case's events in
 * its canonical order (events of different cases may interleave in any order), read from
 * the beginning by a reader of its own.
 */
export interface CanonicalSource {
  readonly name: string;
  open(): Promise<SourceReader>;
}

/**
 * One read of a source from its beginning. It also says how what it read relates to what
 * the live consumer has applied, since only the source knows where its events lie.
 */
export interface SourceReader {
  /** Up to `limit` events after those returned before; empty when it holds no more now. */
  next(limit: number): Promise<LoggedEvent[]>;
  /** How many events the live consumer has applied that `next` has not returned yet. */
  unread(db: Queryable, live: LiveConsumer): Promise<number>;
  /** The ids of those of `events` the live consumer has applied. */
  applied(
    db: Queryable,
    live: LiveConsumer,
    events: readonly LoggedEvent[],
  ): Promise<ReadonlySet<string>>;
  close(): Promise<void>;
}

const DAY_MS = 86_400_000;

/**
 * audit's store (`audit.case_events`), read as the event store reads: `(transaction_id,
 * global_seq)` below the snapshot horizon (horizon-reader.ts), so an append that took a
 * lower `global_seq` but committed later is read after, never skipped. audit appends each
 * case's events in partition order with growing transaction ids, so each case's
 * subsequence is canonical. Reading it needs the audit schema's SELECT (the replay is an
 * operator's tool; in production it runs with a read-only login on audit's database), and
 * `unread` and `applied` compare it with the live consumer's inbox in one query: same
 * database only.
 *
 * The inbox forgets what it applied a week ago (`ProcessorOptions.inboxRetentionMs`): an
 * event audit recorded longer ago than that, less a day, is taken as applied (neither
 * consumer is ever a day behind the other).
 */
export class AuditStoreSource implements CanonicalSource {
  readonly name = 'audit';

  constructor(
    readonly pool: Pool,
    private readonly schema = 'audit',
    private readonly inboxRetentionMs = 7 * DAY_MS,
  ) {}

  open(): Promise<SourceReader> {
    return Promise.resolve(new AuditStoreReader(this.pool, this.schema, this.inboxRetentionMs));
  }
}

class AuditStoreReader implements SourceReader {
  private readonly s: string;
  private readonly readSql: string;
  private after: ReadCheckpoint = START;

  constructor(
    private readonly pool: Pool,
    schema: string,
    private readonly inboxRetentionMs: number,
  ) {
    this.s = quoteSchema(schema);
    this.readSql = horizonSql({
      from: `a.global_seq, a.transaction_id::text as txid, a.event from ${this.s}.case_events a`,
      transactionColumn: 'a.transaction_id',
      positionColumn: 'a.global_seq',
    });
  }

  async next(limit: number): Promise<LoggedEvent[]> {
    const rows = await readAfter<{ global_seq: string; txid: string; event: CloudEvent }>(
      this.pool,
      this.readSql,
      this.after,
      limit,
    );
    const last = rows[rows.length - 1];
    if (last) this.after = { transactionId: last.txid, position: Number(last.global_seq) };
    return rows.map((r) => ({ event: r.event }));
  }

  /** Inbox rows whose event audit does not hold at or before this reader's position. */
  async unread(db: Queryable, live: LiveConsumer): Promise<number> {
    const { rows } = await db.query<{ n: string }>(
      `select count(*) as n from ${quoteSchema(live.schema)}.inbox i
       where i.consumer = $1
         and not exists (select 1 from ${this.s}.case_events a where a.event->>'id' = i.event_id
           and (a.transaction_id, a.global_seq) <= ($2::xid8, $3::bigint))`,
      [live.group, this.after.transactionId, this.after.position],
    );
    return Number(rows[0]!.n);
  }

  async applied(
    db: Queryable,
    live: LiveConsumer,
    events: readonly LoggedEvent[],
  ): Promise<ReadonlySet<string>> {
    const { rows } = await db.query<{ id: string }>(
      `select a.event->>'id' as id from ${this.s}.case_events a
       where a.event->>'id' = any($1::text[])
         and (a.recorded_at < now() - $2 * interval '1 millisecond'
           or exists (select 1 from ${quoteSchema(live.schema)}.inbox i
             where i.consumer = $3 and i.event_id = a.event->>'id'))`,
      [events.map((e) => e.event.id), this.inboxRetentionMs - DAY_MS, live.group],
    );
    return new Set(rows.map((r) => r.id));
  }

  close(): Promise<void> {
    return Promise.resolve(); // the pool is the caller's
  }
}
