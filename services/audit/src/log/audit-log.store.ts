import type { Pool, PoolClient } from 'pg';
import { chainHash, GENESIS_HASH, type ChainLink } from '@casegrid/audit';
import { parseCeType, type CloudEvent } from '@casegrid/contracts';
import {
  horizonSql,
  quoteSchema,
  readAfter,
  type Queryable,
  type ReadCheckpoint,
} from '@casegrid/event-store';
import { ConcurrencyError } from '@casegrid/kernel';
import { AUDIT_WRITER_ROLE } from './audit-log.migrations';

/** Lock namespace of audit's per-case advisory locks (any constant; ours). */
const CASE_LOCK = 0xa0d;

export interface StoredEvent extends ChainLink {
  readonly caseId: string;
  readonly globalSeq: number;
  readonly event: CloudEvent;
  readonly recordedAt: string;
}

type Row = {
  case_id: string;
  position: number;
  global_seq: string;
  event: CloudEvent;
  prev_hash: string;
  hash: string;
  recorded_at: Date;
};

const stored = (r: Row): StoredEvent => ({
  caseId: r.case_id,
  position: r.position,
  globalSeq: Number(r.global_seq),
  event: r.event,
  prevHash: r.prev_hash,
  hash: r.hash,
  recordedAt: r.recorded_at.toISOString(),
});

interface LastLink {
  caseId: string;
  position: number;
  hash: string;
  regionCode: string | null;
}

/** One page of the log in read order, and where the next one starts. */
export interface LogPage {
  readonly events: StoredEvent[];
  readonly next: ReadCheckpoint;
}

const COLUMNS = 'case_id, position, global_seq, event, prev_hash, hash, recorded_at';

/**
 * audit's log of case events. Under the case's advisory lock the next position is the last
 * one + 1 and the hash chains from the last hash, so two instances (Kafka rebalancing)
 * never fork a chain; the unique index on the CloudEvent id absorbs a duplicate that
 * slipped past the inbox.
 */
export class AuditLogStore {
  private readonly s: string;

  constructor(
    readonly pool: Pool,
    readonly schema: string,
  ) {
    this.s = quoteSchema(schema);
  }

  /** One event: `appendBatch` of one (specs and tools). */
  async append(tx: PoolClient, event: CloudEvent): Promise<'appended' | 'duplicate'> {
    return (await this.appendBatch(tx, [event])) === 1 ? 'appended' : 'duplicate';
  }

  /**
   * Appends events in the consumer's transaction, in the order given (each case's events
   * in its canonical order), as the writer role: `SET LOCAL ROLE` drops the connection's
   * own rights for the rest of the transaction, so even a bug here cannot update or
   * delete. Three statements for the whole batch, whatever its size: the cases' advisory
   * locks (sorted, so two writers never wait on each other in a circle); then, under them,
   * each case's last link and which events are already here; then one insert of every
   * new row, its chain computed here from the last hash. The read comes after the locks in
   * a statement of its own: a statement sees what committed before it began, and a lock it
   * waited for inside itself would let it read a chain another writer has since extended.
   * Returns how many were appended (the rest were duplicates).
   *
   * Readers by position go in `(transaction_id, global_seq)` order (`page`), so a case's
   * rows must get growing transaction ids. The insert is normally the transaction's first
   * write, so its id is taken under the locks, after the previous writer of the case
   * committed. A transaction that got its id earlier (a write before the append) and then
   * waited for a case another one extended would put its rows before that one's: it is
   * refused as a conflict, and the processor retries it in a fresh transaction (ADR 0001).
   */
  async appendBatch(tx: PoolClient, events: readonly CloudEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    const caseIds = [...new Set(events.map((e) => e.subject))].sort();
    await tx.query(
      `select set_config('role', $1, true),
         (select count(pg_advisory_xact_lock($2, hashtext(id))) from unnest($3::text[]) id)`,
      [AUDIT_WRITER_ROLE, CASE_LOCK, caseIds],
    );
    const { rows } = await tx.query<{
      last: LastLink[] | null;
      dups: string[];
      out_of_order: string | null;
    }>(
      `with last as (
         select c.id, l.* from unnest($1::text[]) c(id)
         join lateral (select position, hash, region_code, transaction_id from ${this.s}.case_events
           where case_id = c.id order by position desc limit 1) l on true)
       select
         (select json_agg(json_build_object('caseId', id, 'position', position, 'hash', hash,
             'regionCode', region_code)) from last) as last,
         array(select event->>'id' from ${this.s}.case_events where event->>'id' = any($2::text[])) as dups,
         (select id from last where transaction_id > pg_current_xact_id_if_assigned() limit 1)
           as out_of_order`,
      [caseIds, events.map((e) => e.id)],
    );
    const outOfOrder = rows[0]?.out_of_order;
    if (outOfOrder) throw new ConcurrencyError(outOfOrder, 'any', -1);
    const chains = new Map<string, { position: number; hash: string; region: string | null }>(
      (rows[0]?.last ?? []).map((l) => [
        l.caseId,
        { position: l.position, hash: l.hash, region: l.regionCode },
      ]),
    );
    const seen = new Set(rows[0]?.dups ?? []);
    const insert: {
      caseId: string;
      position: number;
      event: string;
      prev: string;
      hash: string;
      region: string | null;
    }[] = [];
    for (const event of events) {
      if (seen.has(event.id)) continue;
      seen.add(event.id);
      const chain = chains.get(event.subject) ?? { position: 0, hash: GENESIS_HASH, region: null };
      const data = event.data as Record<string, unknown> | null;
      const region =
        parseCeType(event.type)?.name === 'CaseRegistered' &&
        typeof data?.['regionCode'] === 'string'
          ? data['regionCode']
          : chain.region;
      const hash = chainHash(chain.hash, event);
      insert.push({
        caseId: event.subject,
        position: chain.position + 1,
        event: JSON.stringify(event),
        prev: chain.hash,
        hash,
        region,
      });
      chains.set(event.subject, { position: chain.position + 1, hash, region });
    }
    if (insert.length === 0) return 0;
    await tx.query(
      `insert into ${this.s}.case_events (case_id, position, event, prev_hash, hash, region_code)
       select r.case_id, r.position, r.event, r.prev_hash, r.hash, r.region_code
       from unnest($1::text[], $2::int[], $3::jsonb[], $4::text[], $5::text[], $6::text[])
         with ordinality as r(case_id, position, event, prev_hash, hash, region_code, n)
       order by r.n`,
      [
        insert.map((r) => r.caseId),
        insert.map((r) => r.position),
        insert.map((r) => r.event),
        insert.map((r) => r.prev),
        insert.map((r) => r.hash),
        insert.map((r) => r.region),
      ],
    );
    return insert.length;
  }

  /** The case's stream in canonical order. */
  async events(db: Queryable, caseId: string): Promise<StoredEvent[]> {
    const { rows } = await db.query<Row>(
      `select ${COLUMNS} from ${this.s}.case_events where case_id = $1 order by position`,
      [caseId],
    );
    return rows.map(stored);
  }

  /** The case's region as registered, or undefined when audit has no such case. */
  async regionOf(caseId: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ region_code: string | null }>(
      `select region_code from ${this.s}.case_events where case_id = $1 and region_code is not null
       order by position limit 1`,
      [caseId],
    );
    return rows[0]?.region_code ?? undefined;
  }

  /**
   * One page of the log in read order after `after`, optionally for a period of recording
   * and a territory (region prefixes; empty = everything). Read order is the event store's
   * (`horizon-reader.ts`): `(transaction_id, global_seq)`, and only rows whose transaction
   * is below the snapshot horizon, so every transaction that could still write a row before
   * the page's last one has ended; a row that took a lower `global_seq` but committed later
   * is read after, never skipped. A transaction left open on the server holds pages back
   * until it ends.
   */
  async page(
    db: Queryable,
    after: ReadCheckpoint,
    limit: number,
    filter: { from?: string; to?: string; regionPrefixes?: readonly string[] } = {},
  ): Promise<LogPage> {
    const extra: unknown[] = [];
    const param = (value: unknown) => `$${3 + extra.push(value)}`;
    const where: string[] = [];
    if (filter.from) where.push(`c.recorded_at >= ${param(filter.from)}`);
    if (filter.to) where.push(`c.recorded_at < ${param(filter.to)}`);
    if (filter.regionPrefixes) {
      const likes = filter.regionPrefixes.map((p) => `c.region_code like ${param(`${p}%`)}`);
      where.push(likes.length > 0 ? `(${likes.join(' or ')})` : 'false');
    }
    const sql = horizonSql({
      from: `${COLUMNS}, c.transaction_id::text as txid from ${this.s}.case_events c`,
      transactionColumn: 'c.transaction_id',
      positionColumn: 'c.global_seq',
      where: where.map((w) => `and ${w}`).join(' '),
    });
    const rows = await readAfter<Row & { txid: string }>(db, sql, after, limit, extra);
    const last = rows[rows.length - 1];
    return {
      events: rows.map(stored),
      next: last ? { transactionId: last.txid, position: Number(last.global_seq) } : after,
    };
  }
}
