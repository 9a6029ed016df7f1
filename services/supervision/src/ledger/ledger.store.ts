import type { PoolClient } from 'pg';
import { CASE_EVENTS_TOPIC } from '@casegrid/contracts';
import { quoteSchema, type Queryable } from '@casegrid/event-store';
import { uuidv7, type MessageContext } from '@casegrid/kernel';
import { type LedgerCase, type Settled, type SupervisionEvent } from '@casegrid/supervision';
import type { ServiceRuntime } from '@casegrid/runtime';
import { LedgerRows } from './ledger.rows';

/** supervision's consumer group of case events (case-events.consumer.ts). */
export const CASE_EVENTS_GROUP = 'supervision.case-events';

/** Lock namespace of supervision's per-case advisory locks (any constant; ours). */
const CASE_LOCK = 0x5e9;

/**
 * Lock namespace of the live ledger tables' writers lock, keyed by the schema's hash:
 * every writer holds it shared for its whole transaction, a rebuild's swap exclusively
 * (`ledgerWritersLock`).
 */
const LEDGER_WRITERS_LOCK = 0x5ea;

/**
 * The writers lock of a schema's live ledger tables, as an SQL expression that takes it
 * (`pg_advisory_xact_lock_shared` / `pg_advisory_xact_lock`). A swap that locked the tables
 * while writers held row locks in their own orders would wait on them as they waited on
 * it (40P01); with one key taken first by all, writers run together and the swap waits for
 * them to end, and new writers wait for the swap: no cycle. It must be taken in a
 * statement that reads no ledger table: a statement locks its tables when planned, before
 * it runs, and a table lock held while waiting for the key is the cycle again.
 */
export const ledgerWritersLock = (
  schema: string,
  mode: 'shared' | 'exclusive',
): { sql: string; values: [number, string] } => ({
  sql: `pg_advisory_xact_lock${mode === 'shared' ? '_shared' : ''}($1, hashtext($2))`,
  values: [LEDGER_WRITERS_LOCK, schema],
});

/**
 * The ledger rows and supervision's own stream of each case, written together.
 *
 * Every writer of a case — the consumer of case events, the deadline scheduler and the
 * HTTP commands — works in one transaction: take the case's advisory lock, read the
 * ledger row, decide, append supervision's events (with the outbox rows, expected
 * version = the row's), write the row, its timer and its notices, commit. The consumer
 * does the same for all the cases of a batch at once (`lockMany`, `recordMany`). The lock is an
 * advisory lock on purpose: it takes no transaction id, so the append stays the
 * transaction's first write and the event store's read order follows the lock order
 * (ADR 0001). The expected version turns any writer that got past the lock without
 * holding it into a conflict instead of a double effect.
 *
 * Before any case lock and any read of the ledger tables, a writer takes the tables'
 * writers lock shared (`joinWriters`; `lockMany` and `tryLock` take it first in the same
 * statement), which a rebuild's swap takes exclusively (`ledgerWritersLock`).
 */
export class LedgerStore {
  readonly schema: string;
  private readonly s: string;
  private readonly rows: LedgerRows;

  constructor(readonly runtime: ServiceRuntime) {
    // The event store's schema: the service's own in production, a bench's in `npm run bench`.
    this.schema = runtime.store.schema;
    this.s = quoteSchema(this.schema);
    this.rows = new LedgerRows(this.schema);
  }

  /**
   * The live ledger tables' writers lock, shared, for the rest of the transaction: first
   * thing in a writer that reads the ledger before it locks its cases (the consumer).
   */
  async joinWriters(tx: PoolClient): Promise<void> {
    const writers = ledgerWritersLock(this.schema, 'shared');
    await tx.query(`select ${writers.sql}`, writers.values);
  }

  async lock(tx: PoolClient, caseId: string): Promise<void> {
    await this.lockMany(tx, [caseId]);
  }

  /**
   * The writers lock (shared), then every case's lock, in one statement and in sorted
   * order, so that two holders of many never wait on each other in a circle. `case`
   * evaluates its condition first and the sub-select only after it.
   */
  async lockMany(tx: PoolClient, caseIds: readonly string[]): Promise<void> {
    const writers = ledgerWritersLock(this.schema, 'shared');
    await tx.query(
      `select case when ${writers.sql} is null then 0 else
         (select count(pg_advisory_xact_lock($3, hashtext(id)))
          from (select id from unnest($4::text[]) id order by id) ids) end`,
      [...writers.values, CASE_LOCK, caseIds],
    );
  }

  /**
   * The writers lock (shared, waiting for a swap in progress), then the case's lock if free
   * now; another instance holding it is working on the case.
   */
  async tryLock(tx: PoolClient, caseId: string): Promise<boolean> {
    const writers = ledgerWritersLock(this.schema, 'shared');
    const { rows } = await tx.query<{ locked: boolean }>(
      `select case when ${writers.sql} is null then false
         else pg_try_advisory_xact_lock($3, hashtext($4)) end as locked`,
      [...writers.values, CASE_LOCK, caseId],
    );
    return rows[0]?.locked === true;
  }

  /** Whether the consumer holds events of the case behind a parked one (processor/parking.ts). */
  async hasParked(db: Queryable, caseId: string): Promise<boolean> {
    const { rows } = await db.query<{ parked: boolean }>(
      `select exists (select 1 from ${this.s}.parked where processor = $1 and message_key = $2) as parked`,
      [CASE_EVENTS_GROUP, caseId],
    );
    return rows[0]?.parked === true;
  }

  async load(db: Queryable, caseId: string): Promise<LedgerCase | null> {
    return (await this.loadMany(db, [caseId])).get(caseId) ?? null;
  }

  async loadMany(db: Queryable, caseIds: readonly string[]): Promise<Map<string, LedgerCase>> {
    const { rows } = await db.query<{ case_id: string; state: LedgerCase }>(
      `select case_id, state from ${this.s}.ledger where case_id = any($1::uuid[])`,
      [caseIds.filter((id) => UUID.test(id))],
    );
    return new Map(rows.map((row) => [row.case_id, row.state]));
  }

  /**
   * Appends what was decided and writes the ledger row, in the caller's transaction.
   * `events` empty still writes the row: another service's event changed the view.
   */
  async record(
    tx: PoolClient,
    before: LedgerCase | null,
    settled: Settled,
    context: MessageContext & { readonly now: Date },
  ): Promise<number> {
    const { now, ...meta } = context;
    const [version] = await this.recordMany(
      tx,
      [
        {
          before,
          state: settled.state,
          reactions: settled.events.map((event) => ({ event, context: meta })),
        },
      ],
      now,
    );
    return version!;
  }

  /**
   * Several cases at once, in the caller's transaction (which holds their locks): every
   * case's new events in one append (each case's stream at the version its row had), then
   * the rows and timers in one statement each. Returns each case's new version.
   */
  async recordMany(tx: PoolClient, records: readonly CaseRecord[], now: Date): Promise<number[]> {
    if (records.length === 0) return [];
    const appending = records.filter((r) => r.reactions.length > 0);
    const versions = new Map<string, number>();
    if (appending.length > 0) {
      const results = await this.runtime.store.appendManyInTransaction(
        tx,
        appending.map((r) => ({
          streamId: r.state.id,
          expectedVersion: r.before?.version ?? 0,
          events: r.reactions.map(({ event, context }) => ({
            id: uuidv7(now.getTime()),
            type: event.type,
            data: event.data,
            metadata: {
              actor: context.actor,
              ...(context.department ? { department: context.department } : {}),
              correlationId: context.correlationId,
              ...(context.causationId ? { causationId: context.causationId } : {}),
              ...(context.traceparent ? { traceparent: context.traceparent } : {}),
              occurredAt: now.toISOString(),
            },
          })),
          publishTo: CASE_EVENTS_TOPIC,
        })),
      );
      results.forEach((result, i) => versions.set(appending[i]!.state.id, result.nextVersion));
    }
    // Without an append, the version is the row's, or that of the echoes folded into it
    // (a row rebuilt from the log behind supervision's own stream).
    const states = records.map((r) => ({
      ...r.state,
      version: versions.get(r.state.id) ?? Math.max(r.before?.version ?? 0, r.state.version),
    }));
    await this.rows.saveMany(tx, states);
    for (const [i, record] of records.entries()) {
      await this.saveNotices(tx, states[i]!, record.reactions, now);
    }
    return states.map((s) => s.version);
  }

  /** The row, the timer and nothing else: also what a rebuild writes (`LedgerRows`). */
  async save(tx: Queryable, state: LedgerCase): Promise<void> {
    await this.rows.saveMany(tx, [state]);
  }

  private async saveNotices(
    tx: PoolClient,
    state: LedgerCase,
    reactions: readonly RecordedReaction[],
    now: Date,
  ): Promise<void> {
    for (const { event } of reactions) {
      if (event.type !== 'NoticeIssued') continue;
      await this.rows.saveNotice(tx, state, { ...event.data, issuedAt: now });
    }
  }
}

/** One of supervision's events to record, with who and what caused it. */
export interface RecordedReaction {
  readonly event: SupervisionEvent;
  readonly context: MessageContext;
}

/** A case's row before, after, and the events that took it there. */
export interface CaseRecord {
  readonly before: LedgerCase | null;
  readonly state: LedgerCase;
  readonly reactions: readonly RecordedReaction[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
