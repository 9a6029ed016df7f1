import type { Prepared, Queryable } from './queryable';
import type { ReadCheckpoint } from './event-store.types';

/**
 * Reads rows of any table that carries `transaction_id xid8` and a positional column in
 * the store's read order, strictly after a checkpoint and only below the snapshot horizon,
 * so that a row whose transaction took a lower position but commits later is never
 * skipped (event-store.ddl.ts, Ordering). Used for the events (read-all, replays), the
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

export const horizonSql = (q: HorizonQuery): string => `
select ${q.from}
where (${q.transactionColumn}, ${q.positionColumn}) > ($1::xid8, $2::bigint)
  and ${q.transactionColumn} < pg_snapshot_xmin(pg_current_snapshot())
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
