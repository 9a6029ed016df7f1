import type { QueryResult, QueryResultRow } from 'pg';

/** A pool or a client inside a transaction: what hand-written SQL needs. */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(
    text: string,
    values?: readonly unknown[],
  ): Promise<QueryResult<R>>;
}
