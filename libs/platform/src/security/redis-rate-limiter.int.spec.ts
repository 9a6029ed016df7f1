import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { testInfra } from '@casegrid/testing';
import type { Rate } from '../config/casegrid.config';
import { RedisRateLimiter, type RateLimiterLogger } from './redis-rate-limiter';

const ONE: Rate = { limit: 1, windowMs: 60_000 };

const capture = () => {
  const lines: string[] = [];
  const logger: RateLimiterLogger = {
    warn: (message: unknown) => void lines.push(`warn ${String(message)}`),
    log: (message: unknown) => void lines.push(`log ${String(message)}`),
  };
  return { lines, logger };
};

describe('RedisRateLimiter when Redis fails', () => {
  it('lets requests through and warns once while Redis is unreachable', async () => {
    // A real client whose connection was closed: every command fails at once.
    const redis = new Redis(testInfra().redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0 });
    await redis.connect();
    redis.disconnect();
    const { lines, logger } = capture();
    const limiter = new RedisRateLimiter(redis, `casegrid:test:rl:${randomUUID()}:`, { logger });
    for (let i = 0; i < 3; i++) {
      expect(await limiter.consume('k', ONE)).toEqual({
        allowed: true,
        remaining: 1,
        retryAfterSeconds: 0,
      });
    }
    await expect(limiter.reset('k')).resolves.toBeUndefined();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^warn rate limits not enforced: Redis failed/);

    await redis.connect();
    try {
      expect(await limiter.consume('k', ONE)).toMatchObject({ allowed: true, remaining: 0 });
      expect(await limiter.consume('k', ONE)).toMatchObject({ allowed: false });
      expect(lines[1]).toBe('log rate limits enforced again: Redis answers');
    } finally {
      redis.disconnect();
    }
  });

  it('does not wait for a Redis that does not answer', async () => {
    const url = testInfra().redisUrl;
    const [redis, other] = [new Redis(url), new Redis(url)];
    const list = `casegrid:test:rl:${randomUUID()}:stall`;
    const { lines, logger } = capture();
    const limiter = new RedisRateLimiter(redis, `casegrid:test:rl:${randomUUID()}:`, {
      logger,
      timeoutMs: 50,
    });
    try {
      // Redis answers a connection's commands in order: the limiter's now waits behind it.
      const stall = redis.blpop(list, 30);
      expect(await limiter.consume('k', ONE)).toMatchObject({ allowed: true });
      expect(lines[0]).toMatch(/no answer within 50 ms/);
      await other.lpush(list, 'go');
      await stall;
    } finally {
      redis.disconnect();
      other.disconnect();
    }
  });
});
