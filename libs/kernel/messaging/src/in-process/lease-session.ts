import type { Pool, PoolClient } from 'pg';
import { isConnectionLoss } from '@casegrid/event-store';
import { Mutex } from '../mutex';

/**
 * The leases of this process's consumer groups on the in-process log: session advisory
 * locks held on ONE connection of their own (the first round held a connection per
 * group, eleven in the embedded default). A lease lasts as long as that session: a
 * process that dies loses every lease with its connection, and another process on the
 * database takes the groups over; a connection that breaks here drops them all at once
 * (`holds` turns false, so the groups stop between batches) and the next `tryAcquire`
 * connects again.
 */
export class LeaseSession {
  private client: PoolClient | undefined;
  private connecting: Promise<PoolClient> | undefined;
  private readonly held = new Set<string>();
  /** One statement at a time on the session (pg queues them, but no longer wants to). */
  private readonly serial = new Mutex();

  constructor(
    private readonly pool: Pool,
    private readonly onLost: (error: unknown) => void = () => undefined,
  ) {}

  holds(key: string): boolean {
    return this.held.has(key);
  }

  tryAcquire(key: string): Promise<boolean> {
    return this.serial.run(() => this.acquire(key));
  }

  private async acquire(key: string): Promise<boolean> {
    if (this.held.has(key)) return true;
    const client = await this.connection();
    const { rows } = await client
      .query<{ ok: boolean }>('select pg_try_advisory_lock(hashtext($1)) as ok', [key])
      .catch((error: unknown) => {
        if (isConnectionLoss(error)) this.lost(error, client);
        throw error;
      });
    if (rows[0]?.ok !== true) return false;
    // A session that broke while the lock was being taken took the lock with it.
    if (this.client !== client) return false;
    this.held.add(key);
    return true;
  }

  /** Hands a lease over at once (a stopping group), rather than when the session ends. */
  async release(key: string): Promise<void> {
    if (!this.held.delete(key)) return;
    await this.serial.run(async () => {
      await this.client
        ?.query('select pg_advisory_unlock(hashtext($1))', [key])
        .catch((error: unknown) => this.lost(error));
    });
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.held.clear();
    client?.release(true);
  }

  private connection(): Promise<PoolClient> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.pool
      .connect()
      .then((client) => {
        client.on('error', (error) => this.lost(error, client));
        this.client = client;
        return client;
      })
      .finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private lost(error: unknown, client = this.client): void {
    if (!client || client !== this.client) return;
    this.client = undefined;
    this.held.clear();
    client.release(true);
    this.onLost(error);
  }
}
