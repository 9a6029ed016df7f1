import type { Pool, PoolClient } from 'pg';
import { toCaseEvent } from '@casegrid/contracts';
import { quoteSchema, type Queryable } from '@casegrid/event-store';
import { evolveLedger, type CaseEvent, type LedgerCase } from '@casegrid/supervision';
import { CASE_EVENTS_GROUP } from './case-events.consumer';
import type { CanonicalSource, LiveConsumer, LoggedEvent, SourceReader } from './ledger.source';
import { LedgerRows, LIVE_TABLES, REBUILD_TABLES, type LedgerTables } from './ledger.rows';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface RebuildReport {
  readonly events: number;
  readonly cases: number;
  /** Events folded under the swap lock (arrived during the bulk phase). */
  readonly caughtUp: number;
  readonly ms: number;
}

/**
 * Rebuilds supervision's ledger (rows, timers, notices) from the log into fresh tables and
 * swaps them in, without downtime.
 *
 * 1. Bulk, without locks: `*_rebuild` tables are created like the live ones and each
 *    case's canonical stream is folded with `evolveLedger` and written by `LedgerRows`
 *    (the code behind the live `LedgerStore.save`), page by page, up to the source's head.
 * 2. Swap, in one transaction: the live tables are locked EXCLUSIVE — readers go on
 *    reading the old rows, writers (the consumer, the scheduler, commands) wait. Under the
 *    lock the live consumer's inbox cannot change, so it says exactly which events the
 *    live rows hold: the rebuild waits until the source holds all of them, folds what came
 *    after its bulk phase (only those events, each case stopping at its first event the
 *    live consumer has not applied yet — that one will be applied after the swap, to the
 *    new row), then folds supervision's own events not yet echoed through the topic from
 *    its store. Then the tables are renamed in and the old ones dropped; at commit the
 *    waiting writers go on against the new tables. No reader ever sees a half-built table:
 *    the new one is invisible until the commit that makes it the ledger.
 */
export class LedgerRebuild {
  private readonly rebuilt: LedgerRows;
  private readonly s: string;

  constructor(
    private readonly pool: Pool,
    private readonly schema: string,
    private readonly source: CanonicalSource,
    private readonly options: { pageSize?: number; waitMs?: number } = {},
  ) {
    this.rebuilt = new LedgerRows(schema, REBUILD_TABLES);
    this.s = quoteSchema(schema);
  }

  async run(): Promise<RebuildReport> {
    const started = Date.now();
    await this.prepare();
    const reader = await this.source.open();
    try {
      return await this.runWith(reader, started);
    } finally {
      await reader.close();
    }
  }

  private async runWith(reader: SourceReader, started: number): Promise<RebuildReport> {
    let events = 0;
    for (;;) {
      const page = await reader.next(this.options.pageSize ?? 5_000);
      if (page.length === 0) break;
      await this.fold(this.pool, page, null);
      events += page.length;
    }
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      const caughtUp = await this.catchUpAndSwap(client, reader);
      await client.query('commit');
      const { rows } = await this.pool.query<{ n: string }>(
        `select count(*) as n from ${this.s}.ledger`,
      );
      return {
        events: events + caughtUp,
        cases: Number(rows[0]!.n),
        caughtUp,
        ms: Date.now() - started,
      };
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
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

  private async catchUpAndSwap(tx: PoolClient, reader: SourceReader): Promise<number> {
    const live = (key: keyof LedgerTables) => this.table(LIVE_TABLES[key]);
    const consumer: LiveConsumer = { schema: this.schema, group: CASE_EVENTS_GROUP };
    await tx.query(
      `lock table ${live('ledger')}, ${live('timers')}, ${live('notices')} in exclusive mode`,
    );
    // The reader's position moves only as it returns events: read on while waiting until it
    // has returned everything the live consumer applied.
    const deadline = Date.now() + (this.options.waitMs ?? 30_000);
    let caughtUp = 0;
    const stopped = new Set<string>();
    for (;;) {
      const page = await reader.next(5_000);
      if (page.length === 0) {
        if ((await reader.unread(tx, consumer)) === 0) break;
        if (Date.now() > deadline)
          throw new Error(`the ${this.source.name} source lags behind the live ledger`);
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      const { rows } = await tx.query<{ event_id: string }>(
        `select event_id from ${this.s}.inbox where consumer = $1 and event_id = any($2)`,
        [CASE_EVENTS_GROUP, page.map((p) => p.event.id)],
      );
      const applied = new Set(rows.map((r) => r.event_id));
      caughtUp += await this.fold(tx, page, (caseId, id) => {
        if (!applied.has(id)) stopped.add(caseId);
        return !stopped.has(caseId);
      });
    }
    await this.foldOwnUnechoed(tx);
    for (const key of ['ledger', 'timers', 'notices'] as const) {
      const name = LIVE_TABLES[key];
      await tx.query(
        `alter table ${live(key)} rename to ${quoteSchema(`${name}_retired`)};
         alter table ${this.table(REBUILD_TABLES[key])} rename to ${quoteSchema(name)};
         drop table ${this.table(`${name}_retired`)};`,
      );
    }
    return caughtUp;
  }

  /** Folds a page into the rebuilt rows; `admit` may hold back a case's later events. */
  private async fold(
    db: Queryable,
    page: readonly LoggedEvent[],
    admit: ((caseId: string, eventId: string) => boolean) | null,
  ): Promise<number> {
    const byCase = new Map<string, CaseEvent[]>();
    let folded = 0;
    for (const { event: cloudEvent } of page) {
      const event = toCaseEvent(cloudEvent);
      const caseId = event?.data['caseId'];
      if (event === undefined || typeof caseId !== 'string' || !UUID.test(caseId)) continue;
      if (admit && !admit(caseId, event.id)) continue;
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
    for (const [caseId, events] of byCase) await this.apply(tx, states.get(caseId) ?? null, events);
  }
}
