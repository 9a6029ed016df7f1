import type { Pool, PoolClient } from 'pg';
import { toCaseEvent } from '@casegrid/contracts';
import { quoteSchema, type Queryable } from '@casegrid/event-store';
import { evolveLedger, type CaseEvent, type LedgerCase } from '@casegrid/supervision';
import { CASE_EVENTS_GROUP } from './case-events.consumer';
import type { CanonicalSource, LiveConsumer, LoggedEvent, SourceReader } from './ledger.source';
import { LedgerRows, LIVE_TABLES, REBUILD_TABLES, type LedgerTables } from './ledger.rows';
import { ledgerWritersLock } from './ledger.store';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface RebuildReport {
  readonly events: number;
  readonly cases: number;
  /** Events folded under the swap lock (applied live since the rebuild last looked). */
  readonly caughtUp: number;
  readonly ms: number;
}

export interface RebuildOptions {
  readonly pageSize?: number;
  /** How long the source may take to hold what the live consumer has applied (30 s). */
  readonly waitMs?: number;
  /** Between two looks at the source while waiting for it, outside any transaction. */
  readonly pollMs?: number;
}

/** Per case, events read but not folded yet: held behind one the live consumer has not applied. */
type Pending = Map<string, LoggedEvent[]>;

/**
 * Rebuilds supervision's ledger (rows, timers, notices) from the log into fresh tables and
 * swaps them in, without downtime.
 *
 * The rebuilt rows must hold, per case, exactly the events the live consumer has applied
 * (the consumer applies each case's events in canonical order, so these are a prefix of
 * the case's stream): an event folded here and applied again live after the swap would
 * count twice. So each case's events are folded up to the last one the source says the
 * live consumer has applied (`SourceReader.applied`); the rest wait, per case, in memory.
 *
 * 1. Bulk, without locks: `*_rebuild` tables are created like the live ones, and the
 *    source is read from its beginning, page by page, each case's applied prefix folded
 *    with `evolveLedger` and written by `LedgerRows` (the code behind the live
 *    `LedgerStore.save`). Then, still without locks, the rebuild reads on and waits (polls)
 *    until the source has returned every event the live consumer has applied: nothing
 *    waits inside a transaction, so the rebuild holds no one's locks or snapshot horizon.
 * 2. Swap, in one short transaction: the live tables' writers lock exclusively — it waits
 *    for the writers in progress (consumer, scheduler, commands each hold it shared for
 *    their whole transaction, taken before anything else) and new writers wait for it, so
 *    no writer holds a row or table lock the swap will want: no deadlock — then the tables
 *    EXCLUSIVE (readers read on). Nothing applies events now, so the live inbox says
 *    exactly what the live rows hold. The source is read to its end before the first
 *    write, and checked once more: if it lacks something the live consumer applied, the
 *    swap rolls back and the rebuild waits outside again. Otherwise each case's applied
 *    events are folded and the rest dropped (the live consumer applies them after the swap,
 *    to the new row), then supervision's own events not yet echoed through the topic from
 *    its store; the tables are renamed in and the old ones dropped. At commit the waiting
 *    writers go on against the new tables. No reader ever sees a half-built table.
 */
export class LedgerRebuild {
  private readonly rebuilt: LedgerRows;
  private readonly s: string;
  private readonly live: LiveConsumer;

  constructor(
    private readonly pool: Pool,
    private readonly schema: string,
    private readonly source: CanonicalSource,
    private readonly options: RebuildOptions = {},
  ) {
    this.rebuilt = new LedgerRows(schema, REBUILD_TABLES);
    this.s = quoteSchema(schema);
    this.live = { schema, group: CASE_EVENTS_GROUP };
  }

  async run(): Promise<RebuildReport> {
    const started = Date.now();
    await this.prepare();
    const reader = await this.source.open();
    try {
      const pending: Pending = new Map();
      let events = await this.readAndFold(reader, pending);
      const deadline = Date.now() + (this.options.waitMs ?? 30_000);
      for (;;) {
        if ((await reader.unread(this.pool, this.live)) === 0) {
          const caughtUp = await this.swap(reader, pending);
          if (caughtUp !== null) {
            const { rows } = await this.pool.query<{ n: string }>(
              `select count(*) as n from ${this.s}.ledger`,
            );
            return {
              events: events + caughtUp,
              cases: Number(rows[0]!.n),
              caughtUp,
              ms: Date.now() - started,
            };
          }
        }
        if (Date.now() > deadline) {
          throw new Error(`the ${this.source.name} source lags behind the live ledger`);
        }
        await new Promise((resolve) => setTimeout(resolve, this.options.pollMs ?? 50));
        events += await this.readAndFold(reader, pending);
      }
    } finally {
      await reader.close();
    }
  }

  private table = (name: string) => `${this.s}.${quoteSchema(name)}`;

  private async prepare(): Promise<void> {
    for (const key of ['ledger', 'timers', 'notices'] as const) {
      await this.pool.query(
        `drop table if exists ${this.table(REBUILD_TABLES[key])};
         create table ${this.table(REBUILD_TABLES[key])} (like ${this.table(LIVE_TABLES[key])} including all)`,
      );
    }
  }

  /**
   * Reads the source to its end, folding what was applied page by page, and what was held
   * back and has been applied since; returns how many were folded.
   */
  private async readAndFold(reader: SourceReader, pending: Pending): Promise<number> {
    let folded = 0;
    let read = false;
    while (await this.read(reader, pending)) {
      read = true;
      folded += await this.settle(this.pool, reader, pending, false);
    }
    if (!read) folded += await this.settle(this.pool, reader, pending, false);
    return folded;
  }

  /** One page into `pending`; false when the source holds no more now. */
  private async read(reader: SourceReader, pending: Pending): Promise<boolean> {
    const page = await reader.next(this.options.pageSize ?? 5_000);
    for (const logged of page) {
      const caseId = toCaseEvent(logged.event)?.data['caseId'];
      if (typeof caseId !== 'string' || !UUID.test(caseId)) continue;
      const events = pending.get(caseId);
      if (events) events.push(logged);
      else pending.set(caseId, [logged]);
    }
    return page.length > 0;
  }

  /**
   * Folds each case's pending events up to the last one the live consumer has applied
   * (those before it were applied too, even if the inbox has forgotten them); `final`
   * forgets the rest. Returns how many were folded.
   */
  private async settle(
    db: Queryable,
    reader: SourceReader,
    pending: Pending,
    final: boolean,
  ): Promise<number> {
    if (pending.size === 0) return 0;
    // A case's events before the last applied one were applied too: ask about each case's
    // last event first (one lookup per case, not per event), and about the others only for
    // the cases whose last is not applied yet — the live tail, a few cases at most.
    const lasts = [...pending.values()].map((events) => events[events.length - 1]!);
    const applied = new Set(await reader.applied(db, this.live, lasts));
    const unsure = [...pending.values()].flatMap((events) =>
      applied.has(events[events.length - 1]!.event.id) ? [] : events.slice(0, -1),
    );
    if (unsure.length > 0) {
      for (const id of await reader.applied(db, this.live, unsure)) applied.add(id);
    }
    const admitted: LoggedEvent[] = [];
    for (const [caseId, events] of pending) {
      let last = events.length - 1;
      while (last >= 0 && !applied.has(events[last]!.event.id)) last -= 1;
      admitted.push(...events.slice(0, last + 1));
      if (final || last === events.length - 1) pending.delete(caseId);
      else if (last >= 0) pending.set(caseId, events.slice(last + 1));
    }
    return this.fold(db, admitted);
  }

  /** The swap (2. above); null when the source fell behind again and it rolled back. */
  private async swap(reader: SourceReader, pending: Pending): Promise<number | null> {
    const live = (key: keyof LedgerTables) => this.table(LIVE_TABLES[key]);
    const tx = await this.pool.connect();
    try {
      await tx.query('begin');
      const writers = ledgerWritersLock(this.schema, 'exclusive');
      await tx.query(`select ${writers.sql}`, writers.values);
      await tx.query(
        `lock table ${live('ledger')}, ${live('timers')}, ${live('notices')} in exclusive mode`,
      );
      // Reads first: until its first write this transaction has no id, so it holds back no
      // reader of the source below the horizon, itself included.
      while (await this.read(reader, pending));
      if ((await reader.unread(tx, this.live)) > 0) {
        await tx.query('rollback');
        return null;
      }
      const caughtUp = await this.settle(tx, reader, pending, true);
      await this.foldOwnUnechoed(tx);
      for (const key of ['ledger', 'timers', 'notices'] as const) {
        const name = LIVE_TABLES[key];
        await tx.query(
          `alter table ${live(key)} rename to ${quoteSchema(`${name}_retired`)};
           alter table ${this.table(REBUILD_TABLES[key])} rename to ${quoteSchema(name)};
           drop table ${this.table(`${name}_retired`)};`,
        );
      }
      await tx.query('commit');
      return caughtUp;
    } catch (error) {
      await tx.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      tx.release();
    }
  }

  /** Folds events (each case's in canonical order) into the rebuilt rows; returns how many. */
  private async fold(db: Queryable, logged: readonly LoggedEvent[]): Promise<number> {
    const byCase = new Map<string, CaseEvent[]>();
    let folded = 0;
    for (const { event: cloudEvent } of logged) {
      const event = toCaseEvent(cloudEvent);
      const caseId = event?.data['caseId'];
      if (event === undefined || typeof caseId !== 'string' || !UUID.test(caseId)) continue;
      byCase.set(caseId, [...(byCase.get(caseId) ?? []), event]);
      folded += 1;
    }
    if (byCase.size === 0) return folded;
    const states = await this.load(db, [...byCase.keys()]);
    const changed: LedgerCase[] = [];
    for (const [caseId, events] of byCase) {
      const before = states.get(caseId) ?? null;
      const after = await this.apply(db, before, events);
      if (after !== null && after !== before) changed.push(after);
    }
    await this.rebuilt.saveMany(db, changed);
    return folded;
  }

  /** As the live consumer: supervision's own events at or below the row's version were folded. */
  private async apply(
    db: Queryable,
    before: LedgerCase | null,
    events: readonly CaseEvent[],
  ): Promise<LedgerCase | null> {
    let state = before;
    for (const event of events) {
      if (
        event.service === 'supervision' &&
        (state === null || event.streamVersion <= state.version)
      ) {
        continue;
      }
      state = evolveLedger(state, event);
      if (state && event.service === 'supervision' && event.type === 'NoticeIssued') {
        const d = event.data as unknown as Parameters<LedgerRows['saveNotice']>[2];
        await this.rebuilt.saveNotice(db, state, { ...d, issuedAt: event.time });
      }
    }
    return state;
  }

  private async load(db: Queryable, caseIds: string[]): Promise<Map<string, LedgerCase>> {
    const { rows } = await db.query<{ state: LedgerCase }>(
      `select state from ${this.table(REBUILD_TABLES.ledger)} where case_id = any($1::uuid[])`,
      [caseIds],
    );
    return new Map(rows.map((r) => [r.state.id, r.state]));
  }

  /** supervision's committed events the topic has not brought back yet, from its own store. */
  private async foldOwnUnechoed(tx: PoolClient): Promise<void> {
    const { rows } = await tx.query<{
      stream_id: string;
      stream_position: string;
      event_id: string;
      event_type: string;
      data: Record<string, unknown>;
      metadata: { actor: string; department?: string; occurredAt?: string };
      recorded_at: Date;
    }>(
      `select e.stream_id, e.stream_position, e.event_id, e.event_type, e.data, e.metadata, e.recorded_at
       from ${this.s}.events e join ${this.table(REBUILD_TABLES.ledger)} l on l.case_id::text = e.stream_id
       where e.stream_position > l.version order by e.stream_id, e.stream_position`,
    );
    const byCase = new Map<string, CaseEvent[]>();
    for (const r of rows) {
      byCase.set(r.stream_id, [
        ...(byCase.get(r.stream_id) ?? []),
        {
          id: r.event_id,
          type: r.event_type,
          service: 'supervision',
          time: r.metadata.occurredAt ?? r.recorded_at.toISOString(),
          actor: r.metadata.actor,
          department: r.metadata.department,
          streamVersion: Number(r.stream_position),
          data: r.data,
        },
      ]);
    }
    const states = await this.load(tx, [...byCase.keys()]);
    const changed: LedgerCase[] = [];
    for (const [caseId, events] of byCase) {
      const before = states.get(caseId) ?? null;
      const after = await this.apply(tx, before, events);
      if (after !== null && after !== before) changed.push(after);
    }
    await this.rebuilt.saveMany(tx, changed);
  }
}
