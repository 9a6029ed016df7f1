import { Pool } from 'pg';
import { uuidv7 } from '@casegrid/kernel';
import { startTcpProxy, testInfra, waitUntil, type TcpProxy } from '@casegrid/testing';
import { connectionSettings } from './migrations';

/**
 * A process whose network was cut with a transaction open (a consumer's batch, a command)
 * leaves that transaction on the server: the proxy's kernel acknowledges the server's
 * keepalives, as a live machine whose process stopped talking would, so TCP never ends
 * it. Its locks would hold whoever takes the work over for as long as the cut lasts.
 */
describe('connectionSettings', () => {
  const PEER_TIMEOUT_MS = 3_000;
  let proxy: TcpProxy;
  let holder: Pool;
  let other: Pool;

  beforeAll(async () => {
    const url = new URL(testInfra().databaseUrl);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    const proxied = new URL(url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    holder = new Pool({
      connectionString: proxied.toString(),
      max: 1,
      ...connectionSettings(PEER_TIMEOUT_MS),
    });
    holder.on('error', () => undefined);
    other = new Pool({ connectionString: url.toString(), max: 1 });
  });
  afterAll(async () => {
    proxy.resume();
    await proxy.close();
    await Promise.allSettled([holder.end(), other.end()]);
  });

  it('ends a transaction its silent peer left open after the peer timeout, releasing its locks', async () => {
    const key = `casegrid:spec:${uuidv7()}`;
    const client = await holder.connect();
    client.on('error', () => undefined);
    try {
      await client.query('begin');
      await client.query('select pg_advisory_xact_lock(hashtext($1))', [key]);
      proxy.blackhole();
      const cut = Date.now();
      await waitUntil(
        async () => {
          const { rows } = await other.query<{ ok: boolean }>(
            'select pg_try_advisory_xact_lock(hashtext($1)) as ok',
            [key],
          );
          return rows[0]?.ok === true;
        },
        { what: 'the lock released', timeoutMs: PEER_TIMEOUT_MS * 4, intervalMs: 100 },
      );
      expect(Date.now() - cut).toBeLessThan(PEER_TIMEOUT_MS + 2_500);
    } finally {
      proxy.resume();
      client.release(true);
    }
  }, 30_000);
});
