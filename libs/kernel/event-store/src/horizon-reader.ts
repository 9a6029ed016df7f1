import type { Prepared, Queryable } from './queryable';
import type { ReadCheckpoint } from './event-store.types';

/**
 * Reads rows of any table that carries `transaction_id xid8` and a positional column in
 * the store's read order, strictly after a checkpoint and only below the database's
 * snapshot horizon (`HORIZON_SQL`), so that a row whose transaction took a lower position
 * but commits later is never skipped (event-store.ddl.ts, Ordering). Used for the events (read-all, replays), the
 * outbox (relay) and the in-process transport's log.
 */
export interface HorizonQuery {
  /** `select` list and `from` clause, e.g. `e.*, ... from "s".events e`. */
  readonly from: string;
  /** Qualified column names, e.g. `e.transaction_id` and `e.global_position`. */
  readonly transactionColumn: string;
  readonly positionColumn: string;
  /** Extra `and ...` conditions with parameters numbered from $4. */
  readonly where?: string;
}

/**
 * The horizon of THIS database: the oldest transaction id the statement's snapshot sees
 * running here, else the snapshot's xmax. `pg_snapshot_xmin` alone is the cluster's: a
 * transaction left open in any other database of the server (another application's,
 * another test suite's) held every reader here back for as long as it stayed open, though
 * it cannot write a row here. A running id is passed over only when `pg_stat_activity`
 * shows it held by a session of another database (read after the snapshot was taken: the
 * id is still that session's, and a session's database never changes); an id it does not
 * show (ended meanwhile, prepared, hidden) still counts, so the horizon is never later
 * than the oldest transaction that may still commit a row here.
 */
export const HORIZON_SQL = `(select least(pg_snapshot_xmax(h.snapshot), (
    select min(x) from pg_snapshot_xip(h.snapshot) x
    where not exists (select 1 from pg_stat_activity a
      where a.backend_xid = xid(x)
        and a.datid <> (select oid from pg_database where datname = current_database()))))
  from (select pg_current_snapshot() as snapshot) h)`;

export const horizonSql = (q: HorizonQuery): string => `
select ${q.from}
where (${q.transactionColumn}, ${q.positionColumn}) > ($1::xid8, $2::bigint)
  and ${q.transactionColumn} < ${HORIZON_SQL}
  ${q.where ?? ''}
order by ${q.transactionColumn}, ${q.positionColumn}
limit $3`;

export const readAfter = async <Row extends Record<string, unknown>>(
  db: Queryable,
  sql: string | Prepared,
  after: ReadCheckpoint,
  limit: number,
  extra: readonly unknown[] = [],
): Promise<Row[]> => {
  const values = [after.transactionId, after.position, limit, ...extra];
  const result = await (typeof sql === 'string'
    ? db.query<Row>(sql, values)
    : db.query<Row>(sql.with(values)));
  return result.rows;
};
