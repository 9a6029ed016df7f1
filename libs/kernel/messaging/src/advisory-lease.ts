import type { Pool, PoolClient } from 'pg';

/**
 * A lease that says who does a job alone (the relay of a service, the consumer of a group):
 * a session advisory lock on a connection of its own. It lasts as long as that session,
 * so a process that dies loses it with its connection; a stopping one hands it over at
 * once by unlocking before it lets the connection go.
 */
export const tryLease = async (pool: Pool, key: string): Promise<PoolClient | undefined> => {
  const client = await pool.connect();
  try {
    const { rows } = await client.query<{ ok: boolean }>(
      'select pg_try_advisory_lock(hashtext($1)) as ok',
      [key],
    );
    if (rows[0]?.ok) return client;
  } catch (error) {
    client.release(true);
    throw error;
  }
  client.release();
  return undefined;
};

export const releaseLease = async (client: PoolClient, key: string): Promise<void> => {
  await client.query('select pg_advisory_unlock(hashtext($1))', [key]).catch(() => undefined);
  // Never back to the pool: the session carried the lock.
  client.release(true);
};
