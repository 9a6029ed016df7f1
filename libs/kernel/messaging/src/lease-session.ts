import type { Pool, PoolClient, QueryConfig, QueryResult, QueryResultRow } from 'pg';
import { isConnectionLoss } from '@casegrid/event-store';
import { Mutex } from './mutex';

export interface LeaseSessionOptions {
  /**
   * A holder whose session has said nothing for this long is presumed gone (its machine
   * vanished, its network was cut) and is ended by whoever wants the lease next. The holder
   * says something at a third of it at the latest (a heartbeat), so a live one is never
   * taken for dead. Default 20 s.
   */
  readonly staleAfterMs?: number;
  /** The session broke: every lease it held is gone. */
  readonly onLost?: (error: unknown) => void;
}

/** What the holder of a lease sees of its session, found through `pg_locks`. */
interface Holder {
  pid: number;
  idle_ms: number;
  state: string | null;
}

/**
 * Leases — who does a job alone: a service's outbox relay, a consumer group on the
 * in-process log — as session advisory locks held on ONE connection of their own. A lease
 * lasts as long as that session:
 * - a process that dies loses every lease with its connection, and another takes over;
 * - a connection that breaks here drops them all at once (`holds` turns false, the jobs
 *   stop between steps) and the next `tryAcquire` connects again;
 * - a holder that vanished without closing (power cut, network partition: the server still
 *   sees an idle session) is ended by the next taker once its session has been silent for
 *   `staleAfterMs` (`pg_terminate_backend`), so a standby takes over within that time,
 *   not when TCP gives up two hours later. The holder heartbeats well inside it.
 * Statements of the jobs that must not outlive the lease (the relay's reads and deletes)
 * run on the session itself (`query`): once it is gone, they fail.
 */
export class LeaseSession {
  private client: PoolClient | undefined;
  private connecting: Promise<PoolClient> | undefined;
  private readonly held = new Set<string>();
  /** One statement at a time on the session (pg queues them, but no longer wants to). */
  private readonly serial = new Mutex();
  private readonly staleAfterMs: number;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly options: LeaseSessionOptions = {},
  ) {
    this.staleAfterMs = options.staleAfterMs ?? 20_000;
  }

  holds(key: string): boolean {
    return this.held.has(key);
  }

  /** Takes the lease if it is free, or held by a session silent past `staleAfterMs`. */
  tryAcquire(key: string): Promise<boolean> {
    return this.serial.run(() => this.acquire(key));
  }

  /** Hands a lease over at once (a stopping job), rather than when the session ends. */
  async release(key: string): Promise<void> {
    if (!this.held.delete(key)) return;
    await this.serial.run(async () => {
      await this.client
        ?.query('select pg_advisory_unlock(hashtext($1))', [key])
        .catch((error: unknown) => this.lost(error));
    });
    if (this.held.size === 0) this.stopHeartbeat();
  }

  /** A statement on the session that holds the leases; fails once it is gone. */
  query<R extends QueryResultRow = QueryResultRow>(
    text: string | QueryConfig,
    values?: readonly unknown[],
  ): Promise<QueryResult<R>> {
    return this.serial.run(async () => {
      const client = this.client;
      if (!client) throw new Error('the lease session is gone');
      const config: QueryConfig =
        typeof text === 'string' ? { text, values: values ? [...values] : [] } : text;
      return client.query<R>(config).catch((error: unknown) => {
        if (isConnectionLoss(error)) this.lost(error, client);
        throw error;
      });
    });
  }

  async close(): Promise<void> {
    this.stopHeartbeat();
    const client = this.client;
    this.client = undefined;
    this.held.clear();
    client?.release(true);
  }

  private async acquire(key: string): Promise<boolean> {
    if (this.held.has(key)) return true;
    const client = await this.connection();
    const locked = async (): Promise<boolean> => {
      const { rows } = await client.query<{ ok: boolean }>(
        'select pg_try_advisory_lock(hashtext($1)) as ok',
        [key],
      );
      return rows[0]?.ok === true;
    };
    try {
      let ok = await locked();
      if (!ok && (await this.endStaleHolder(client, key))) ok = await locked();
      // A session that broke while the lock was being taken took the lock with it.
      if (!ok || this.client !== client) return false;
    } catch (error) {
      if (isConnectionLoss(error)) this.lost(error, client);
      throw error;
    }
    this.held.add(key);
    this.startHeartbeat();
    return true;
  }

  /**
   * Ends the session holding `key` if it has been silent past `staleAfterMs`; true when it
   * ended (the lock is then free). `pg_terminate_backend` waits up to 5 s for it to exit.
   */
  private async endStaleHolder(client: PoolClient, key: string): Promise<boolean> {
    const { rows } = await client.query<Holder>(
      `select a.pid, extract(epoch from now() - a.state_change) * 1000 as idle_ms, a.state
       from pg_locks l join pg_stat_activity a on a.pid = l.pid
       where l.locktype = 'advisory' and l.granted and l.objsubid = 1
         and l.database = (select oid from pg_database where datname = current_database())
         and ((l.classid::bigint << 32) | l.objid::bigint) = hashtext($1)::bigint`,
      [key],
    );
    const holder = rows[0];
    if (!holder || holder.pid === (client as unknown as { processID?: number }).processID)
      return false;
    const silent = holder.state !== 'active' && Number(holder.idle_ms) > this.staleAfterMs;
    if (!silent) return false;
    const ended = await client.query<{ ended: boolean }>(
      'select pg_terminate_backend($1, 5000) as ended',
      [holder.pid],
    );
    return ended.rows[0]?.ended === true;
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

  /** Says something on the session well inside `staleAfterMs`, so no taker ends it. */
  private startHeartbeat(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(
      () => {
        void this.serial
          .run(async () => {
            const client = this.client;
            if (client) await client.query('select 1');
          })
          .catch((error: unknown) => this.lost(error));
      },
      Math.max(100, Math.floor(this.staleAfterMs / 3)),
    );
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  private lost(error: unknown, client = this.client): void {
    if (!client || client !== this.client) return;
    this.client = undefined;
    this.held.clear();
    this.stopHeartbeat();
    client.release(true);
    this.options.onLost?.(error);
  }
}
