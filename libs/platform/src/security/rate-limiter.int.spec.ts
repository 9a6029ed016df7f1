import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { testInfra } from '@casegrid/testing';
import type { Rate } from '../config/casegrid.config';
import { MemoryRateLimiter } from './memory-rate-limiter';
import { enforceRate, TooManyRequestsError, type RateLimiter } from './rate-limiter';
import { RedisRateLimiter } from './redis-rate-limiter';

const MINUTE: Rate = { limit: 3, windowMs: 60_000 };

interface Harness {
  readonly limiter: RateLimiter;
  /** Lets the window of `key` run out. */
  endWindow(key: string, rate: Rate): Promise<void>;
}

const connections: Redis[] = [];
const connect = async (): Promise<Redis> => {
  const redis = new Redis(testInfra().redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  connections.push(redis);
  return redis;
};
afterAll(() => connections.forEach((redis) => redis.disconnect()));

const prefix = (): string => `casegrid:test:rl:${randomUUID()}:`;

const harnesses: readonly (readonly [string, () => Promise<Harness>])[] = [
  [
    'RedisRateLimiter',
    async () => {
      const redis = await connect();
      const keys = prefix();
      return {
        limiter: new RedisRateLimiter(redis, keys),
        // Redis's clock cannot be moved: end the window the way its TTL would, at once.
        endWindow: async (key) => void (await redis.pexpire(`${keys}${key}`, 0)),
      };
    },
  ],
  [
    'MemoryRateLimiter',
    async () => {
      let now = Date.parse('2025-03-01T09:00:00+08:00');
      return {
        limiter: new MemoryRateLimiter({ now: () => now }),
        endWindow: async (_key, rate) => void (now += rate.windowMs),
      };
    },
  ],
];

describe.each(harnesses)('%s', (_name, open) => {
  let h: Harness;
  beforeEach(async () => {
    h = await open();
  });

  it('counts hits up to the limit, then refuses with the time left in the window', async () => {
    const decisions = [];
    for (let i = 0; i < 4; i++) decisions.push(await h.limiter.consume('a', MINUTE));
    expect(decisions.slice(0, 3)).toEqual([
      { allowed: true, remaining: 2, retryAfterSeconds: 0 },
      { allowed: true, remaining: 1, retryAfterSeconds: 0 },
      { allowed: true, remaining: 0, retryAfterSeconds: 0 },
    ]);
    expect(decisions[3]).toMatchObject({ allowed: false, remaining: 0 });
    expect(decisions[3]?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(decisions[3]?.retryAfterSeconds).toBeLessThanOrEqual(60);
  });

  it('starts afresh when the window ends, and refused hits did not extend it', async () => {
    for (let i = 0; i < 10; i++) await h.limiter.consume('a', MINUTE);
    await h.endWindow('a', MINUTE);
    expect(await h.limiter.consume('a', MINUTE)).toEqual({
      allowed: true,
      remaining: 2,
      retryAfterSeconds: 0,
    });
  });

  it('keeps keys apart', async () => {
    for (let i = 0; i < 3; i++) await h.limiter.consume('a', MINUTE);
    expect((await h.limiter.consume('a', MINUTE)).allowed).toBe(false);
    expect((await h.limiter.consume('b', MINUTE)).allowed).toBe(true);
  });

  it('peeks without counting, and refuses the peek once the window is full', async () => {
    for (let i = 0; i < 5; i++) {
      expect(await h.limiter.peek('u', MINUTE)).toEqual({
        allowed: true,
        remaining: 3,
        retryAfterSeconds: 0,
      });
    }
    for (let i = 0; i < 3; i++) await h.limiter.consume('u', MINUTE);
    const blocked = await h.limiter.peek('u', MINUTE);
    expect(blocked).toMatchObject({ allowed: false, remaining: 0 });
    expect(blocked.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  });

  it('forgets a key on reset', async () => {
    for (let i = 0; i < 3; i++) await h.limiter.consume('u', MINUTE);
    await h.limiter.reset('u');
    expect(await h.limiter.peek('u', MINUTE)).toMatchObject({ allowed: true, remaining: 3 });
  });

  describe('enforceRate', () => {
    it('throws TooManyRequestsError with the seconds to wait once the limit is spent', async () => {
      for (let i = 0; i < 3; i++) await enforceRate(h.limiter, 'e', MINUTE);
      const refusal = await enforceRate(h.limiter, 'e', MINUTE).catch((e: unknown) => e);
      expect(refusal).toBeInstanceOf(TooManyRequestsError);
      expect((refusal as TooManyRequestsError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    });

    it('counts failed logins only on failure and blocks the username when they are spent', async () => {
      const failures: Rate = { limit: 2, windowMs: 900_000 };
      const attempt = async (passwordOk: boolean): Promise<string> => {
        await enforceRate(h.limiter, 'login-failure:li.wei', failures, { peek: true });
        if (passwordOk) return 'signed in';
        await h.limiter.consume('login-failure:li.wei', failures);
        return 'wrong password';
      };
      expect(await attempt(true)).toBe('signed in');
      expect(await attempt(false)).toBe('wrong password');
      expect(await attempt(true)).toBe('signed in');
      expect(await attempt(false)).toBe('wrong password');
      // Two failures spent the window: even the right password waits now.
      const blocked = await attempt(true).catch((e: unknown) => e);
      expect(blocked).toBeInstanceOf(TooManyRequestsError);
      expect((blocked as TooManyRequestsError).retryAfterSeconds).toBeLessThanOrEqual(900);
    });
  });
});

describe('RedisRateLimiter across instances', () => {
  it('shares one count between instances on separate connections', async () => {
    const keys = prefix();
    const [a, b] = [
      new RedisRateLimiter(await connect(), keys),
      new RedisRateLimiter(await connect(), keys),
    ];
    expect(await a.consume('k', MINUTE)).toMatchObject({ allowed: true, remaining: 2 });
    expect(await b.consume('k', MINUTE)).toMatchObject({ allowed: true, remaining: 1 });
    expect(await a.peek('k', MINUTE)).toMatchObject({ allowed: true, remaining: 1 });
    expect(await b.consume('k', MINUTE)).toMatchObject({ allowed: true, remaining: 0 });
    expect(await a.consume('k', MINUTE)).toMatchObject({ allowed: false });
  });

  it('lets exactly the limit through when instances race for the last hits', async () => {
    const keys = prefix();
    const limiters = [
      new RedisRateLimiter(await connect(), keys),
      new RedisRateLimiter(await connect(), keys),
    ];
    const rate: Rate = { limit: 10, windowMs: 60_000 };
    const decisions = await Promise.all(
      Array.from({ length: 40 }, (_, i) => limiters[i % 2]!.consume('race', rate)),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
    expect(new Set(decisions.filter((d) => d.allowed).map((d) => d.remaining)).size).toBe(10);
  });

  it('sets each key to expire with its window, and a refusal does not push it out', async () => {
    const redis = await connect();
    const keys = prefix();
    const limiter = new RedisRateLimiter(redis, keys);
    const rate: Rate = { limit: 1, windowMs: 90_000 };
    await limiter.consume('ttl', rate);
    const ttl = await redis.pttl(`${keys}ttl`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(90_000);
    const refused = await limiter.consume('ttl', rate);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(Math.ceil(ttl / 1000));
    expect(await redis.pttl(`${keys}ttl`)).toBeLessThanOrEqual(ttl);
  });
});
