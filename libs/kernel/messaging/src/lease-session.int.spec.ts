import { Pool } from 'pg';
import { uuidv7 } from '@casegrid/kernel';
import { startTcpProxy, testInfra, waitUntil, type TcpProxy } from '@casegrid/testing';
import { LeaseSession } from './lease-session';

/**
 * A lease whose holder vanished without closing its connection (packets dropped, not
 * refused: a proxy that stops forwarding) is taken over by a standby once the holder's
 * session has been silent for the lease's stale time; a live holder never is.
 */
describe('LeaseSession', () => {
  const STALE_MS = 3_000;
  let proxy: TcpProxy;
  let viaProxy: Pool;
  let direct: Pool;

  beforeAll(async () => {
    const url = new URL(testInfra().databaseUrl);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    const proxied = new URL(url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    viaProxy = new Pool({ connectionString: proxied.toString(), max: 2 });
    direct = new Pool({ connectionString: url.toString(), max: 2 });
    viaProxy.on('error', () => undefined);
  });
  afterAll(async () => {
    await proxy.close();
    await Promise.allSettled([viaProxy.end(), direct.end()]);
  });

  it('keeps a live holder, and gives a silent one’s lease to a standby after the stale time', async () => {
    const key = `casegrid:spec:${uuidv7()}`;
    const lost: unknown[] = [];
    const holder = new LeaseSession(viaProxy, {
      staleAfterMs: STALE_MS,
      onLost: (e) => lost.push(e),
    });
    const standby = new LeaseSession(direct, { staleAfterMs: STALE_MS });
    try {
      expect(await holder.tryAcquire(key)).toBe(true);
      expect(await standby.tryAcquire(key)).toBe(false);
      // Alive and heartbeating: still its lease well past the stale time.
      const aliveUntil = Date.now() + STALE_MS * 2;
      while (Date.now() < aliveUntil) {
        expect(await standby.tryAcquire(key)).toBe(false);
        await new Promise((r) => setTimeout(r, 250));
      }
      proxy.blackhole();
      const cut = Date.now();
      await waitUntil(() => standby.tryAcquire(key), {
        what: 'the standby took the lease over',
        timeoutMs: STALE_MS * 4,
        intervalMs: 100,
      });
      const tookMs = Date.now() - cut;
      expect(tookMs).toBeGreaterThanOrEqual(STALE_MS - 1_000);
      expect(tookMs).toBeLessThan(STALE_MS + 2_500);
      // The network comes back: the old holder finds its session ended, and holds nothing.
      proxy.resume();
      await waitUntil(() => !holder.holds(key), {
        what: 'the old holder let go',
        timeoutMs: 10_000,
      });
      expect(lost.length).toBeGreaterThan(0);
      expect(standby.holds(key)).toBe(true);
    } finally {
      proxy.resume();
      await holder.close();
      await standby.close();
    }
  }, 60_000);
});
