import type { Pool, PoolClient } from 'pg';

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
    try {
      const result = await work(client);
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
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
