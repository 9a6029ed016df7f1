import type { Pool, PoolClient } from 'pg';

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
  const client = await pool.connect();
  try {
    await client.query('begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
