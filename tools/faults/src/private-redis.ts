import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Redis } from 'ioredis';
import { waitUntil } from '@casegrid/testing';
import { freePort } from './private-postgres';

const REDIS_SERVER = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'];

/** The redis-server binary, or undefined when the machine has none. */
export const redisServerBinary = (): string | undefined => REDIS_SERVER.find((p) => existsSync(p));

/**
 * A redis-server of the fault run's own on a free port (no persistence): it may be flushed
 * and stopped without touching the machine's Redis.
 */
export interface PrivateRedis {
  readonly url: string;
  flush(): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export const startPrivateRedis = async (binary: string): Promise<PrivateRedis> => {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}/0`;
  let child: ChildProcess | undefined;
  const ping = async (): Promise<boolean> => {
    const redis = new Redis(url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      return (await redis.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      redis.disconnect();
    }
  };
  const start = async (): Promise<void> => {
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ];
    child = spawn(binary, args, { stdio: 'ignore' });
    await waitUntil(ping, { what: `redis-server on ${port}`, timeoutMs: 10_000, intervalMs: 20 });
  };
  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGKILL');
    });
  };
  await start();
  return {
    url,
    async flush() {
      const redis = new Redis(url, { maxRetriesPerRequest: 1 });
      try {
        await redis.flushall();
      } finally {
        redis.disconnect();
      }
    },
    stop,
    start,
  };
};
