import * as pg from 'pg';
import {
  escapeLiteral,
  type Pool,
  type PoolClient,
  type QueryResult,
  type QueryResultRow,
} from 'pg';

/**
 * Runs `work` on a client checked out of `pool`, and gives it back.
 *
 * pg-pool listens for errors only on idle clients: a connection that breaks while checked
 * out (the server terminated it, PostgreSQL restarted, the network went) emits `error` on a
 * client nobody listens to, and Node ends the process. Every checkout therefore listens
 * for as long as it holds the client; the query in flight fails on its own (as a
 * connection error, which callers retry), and a broken client is destroyed on release,
 * never handed to the next caller.
 */
export async function withClient<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (error: Error): void => {
    broken = error;
  };
  client.on('error', onError);
  try {
    return await work(client);
  } catch (error) {
    broken ??= isConnectionLoss(error) ? (error as Error) : undefined;
    throw error;
  } finally {
    client.off('error', onError);
    client.release(broken ?? false);
  }
}

/**
 * Runs `work` in one READ COMMITTED transaction on a client of `pool`: committed when it
 * returns, rolled back when it throws. Everything that must stand or fall together — the
 * events, their outbox rows, the read-model rows and key rows written beside them — goes
 * through the one client it is given.
 */
export async function inTransaction<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
): Promise<T> {
  return withClient(pool, async (client) => {
    await client.query('begin');
    const state = allowFinish(client);
    try {
      const result = await work(client);
      if (!state.committed) await client.query('commit');
      return result;
    } catch (error) {
      if (!state.committed) await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      forgetFinish(client);
    }
  });
}

// SQLSTATE class 08 (connection exception) and 57P01–03 (the server is shutting down or
// cannot take connections), and the driver's own words for a connection that went away.
const LOST_SQLSTATE = /^(08|57P0[123])/;
const LOST_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND']);

/** The connection itself failed (not the statement): the client must not be reused. */
export const isConnectionLoss = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (LOST_SQLSTATE.test(code) || LOST_ERRNO.has(code))) return true;
  return (
    error instanceof Error &&
    /Connection terminated|connection is not open|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(
      error.message,
    )
  );
};

/**
 * Transactions opened here, and whether their last statement may carry the commit
 * (`queryAndCommit`). A transaction of `runIdempotent` is not among them: it writes its
 * key's record after the work, so the work's last statement is not the transaction's.
 */
const finishable = new WeakMap<PoolClient, { committed: boolean }>();

/** Marks a transaction on `client` as one whose work may end it (see `queryAndCommit`). */
export const allowFinish = (client: PoolClient): { committed: boolean } => {
  const state = { committed: false };
  finishable.set(client, state);
  return state;
};

export const forgetFinish = (client: PoolClient): void => {
  finishable.delete(client);
};

/**
 * Runs the transaction's LAST statement and, where the transaction allows it, its COMMIT in
 * the same round trip (one simple-protocol message holding both, with the values written
 * as literals by pg's own escaping). What this buys is the time a lock taken by that
 * statement is held: a row lock on a gapless counter lasts until commit, and waiting for
 * this process to get round to sending COMMIT — behind every other callback of a busy
 * event loop, several milliseconds under load — is then not part of it. Elsewhere (inside
 * `runIdempotent`) it is an ordinary query and the caller commits. Nothing may be sent on
 * the client after it.
 */
export async function queryAndCommit<R extends QueryResultRow>(
  client: PoolClient,
  sql: string,
  values: readonly unknown[],
): Promise<QueryResult<R>> {
  const state = finishable.get(client);
  if (!state) return client.query<R>(sql, [...values]);
  const results = (await client.query(
    `${literalQuery(sql, values)};\ncommit`,
  )) as unknown as QueryResult<R>[];
  state.committed = true;
  return results[0]!;
}

/** pg's own preparation of a parameter: text, or null (arrays as array literals, dates ISO). */
const { prepareValue } = (
  pg as unknown as { utils: { prepareValue: (v: unknown) => string | null | undefined } }
).utils;

/**
 * `sql` with `$n` replaced by `values[n-1]` as literals, each prepared as pg prepares a
 * parameter and escaped by pg. `sql` itself must hold no string literal (no `'`), so no
 * `$n` can stand inside one; quoted identifiers are fine.
 */
export const literalQuery = (sql: string, values: readonly unknown[]): string => {
  if (sql.includes("'")) throw new Error('literalQuery: the statement must hold no literal');
  return sql.replace(/\$(\d+)/g, (_m, n: string) => {
    const value = prepareValue(values[Number(n) - 1]);
    return value === null || value === undefined ? 'NULL' : escapeLiteral(value);
  });
};
