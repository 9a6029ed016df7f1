import { createHash } from 'node:crypto';
import type { QueryConfig, QueryResult, QueryResultRow } from 'pg';

/** A pool or a client inside a transaction: what hand-written SQL needs. */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(
    text: string | QueryConfig,
    values?: readonly unknown[],
  ): Promise<QueryResult<R>>;
}

/**
 * A statement of the hot paths (every batch of every consumer, every registration), sent
 * as a named prepared statement: each connection parses and plans it once and then only
 * binds and executes, and the driver sends its text once per connection instead of every
 * time. Only for fixed texts — every distinct text stays prepared on every connection for
 * the connection's life. The name is derived from the text, so two call sites with the
 * same text share one statement.
 */
export interface Prepared {
  readonly text: string;
  readonly name: string;
  /** The query config for `db.query`. */
  with(values: readonly unknown[]): QueryConfig;
}

export const prepared = (text: string): Prepared => {
  const name = `cg_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
  return { text, name, with: (values) => ({ name, text, values: [...values] }) };
};

/** Runs a prepared statement on a pool or client. */
export const run = <R extends QueryResultRow = QueryResultRow>(
  db: Queryable,
  statement: Prepared,
  values: readonly unknown[],
): Promise<QueryResult<R>> => db.query<R>(statement.with(values));
