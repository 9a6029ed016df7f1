import { Logger, type LoggerService } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Rate } from '../config/casegrid.config';
import type { RateDecision, RateLimiter } from './rate-limiter';
import { allowAll, decide } from './rate-window';

const COMMAND = 'casegridRateLimit';

/**
 * One fixed window per key, decided in one round trip. KEYS[1] the counter; ARGV: limit,
 * window (ms), 1 to count a hit or 0 to peek. Returns {counted, used, ttl ms}.
 *
 * Fixed window rather than a sliding log: one integer per key whatever the limit (a log of
 * 1,200 timestamps per address is a memory bill an attacker with many addresses writes),
 * and its Retry-After is exact — the key's own TTL. The price is that a client may spend
 * a window's budget at its end and the next at the start of the next window: at most twice
 * the limit in a short span, never more than the limit per window on average.
 *
 * Redis's clock alone times the windows, so instances with skewed clocks agree; the TTL is
 * set with the first counted hit (and mended should a key ever lack one), so keys expire.
 */
const LUA = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local ttl = redis.call('PTTL', KEYS[1])
if used > 0 and ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
if ARGV[3] == '1' and used < tonumber(ARGV[1]) then
  used = redis.call('INCR', KEYS[1])
  if ttl < 0 then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    ttl = tonumber(ARGV[2])
  end
  return {1, used, ttl}
end
return {0, used, ttl}
`;

type RateLimitCommand = (
  key: string,
  limit: number,
  windowMs: number,
  count: 0 | 1,
) => Promise<[counted: number, used: number, ttlMs: number]>;

export type RateLimiterLogger = Pick<LoggerService, 'warn' | 'log'>;

export interface RedisRateLimiterOptions {
  /** A slow Redis must not make every request slow: past this, the hit is let through. */
  readonly timeoutMs?: number;
  /** Defaults to Nest's logger, that is the application's JSON log. */
  readonly logger?: RateLimiterLogger;
}

/** How often a Redis outage is logged again while it lasts. */
const WARN_EVERY_MS = 60_000;

/**
 * Rate limits shared by every instance on one Redis. When Redis fails or is slow, it fails
 * open: the request goes through unlimited and a warning is logged (at most once a minute).
 * Losing Redis loses no data (DESIGN.md), and a rate limit is a protection, not a function
 * of the API: refusing every request because the counter is unreachable would turn a Redis
 * outage into an outage of the API.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly run: RateLimitCommand;
  private readonly timeoutMs: number;
  private readonly logger: RateLimiterLogger;
  private lastWarning: number | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'casegrid:rl:',
    options: RedisRateLimiterOptions = {},
  ) {
    // ioredis runs it with EVALSHA and sends the script only when Redis does not have it.
    redis.defineCommand(COMMAND, { numberOfKeys: 1, lua: LUA });
    const commands = redis as unknown as Record<typeof COMMAND, RateLimitCommand>;
    this.run = (...args) => commands[COMMAND](...args);
    this.timeoutMs = options.timeoutMs ?? 500;
    this.logger = options.logger ?? new Logger(RedisRateLimiter.name);
  }

  consume(key: string, rate: Rate): Promise<RateDecision> {
    return this.decide(key, rate, 1);
  }

  peek(key: string, rate: Rate): Promise<RateDecision> {
    return this.decide(key, rate, 0);
  }

  async reset(key: string): Promise<void> {
    try {
      await withTimeout(this.redis.del(this.prefix + key), this.timeoutMs);
    } catch (error) {
      // The key expires with its window anyway.
      this.warn(error);
    }
  }

  private async decide(key: string, rate: Rate, count: 0 | 1): Promise<RateDecision> {
    try {
      const command = this.run(this.prefix + key, rate.limit, rate.windowMs, count);
      const [counted, used, ttlMs] = await withTimeout(command, this.timeoutMs);
      this.recovered();
      return decide(used, ttlMs, rate, counted === 1);
    } catch (error) {
      this.warn(error);
      return allowAll(rate);
    }
  }

  private warn(error: unknown): void {
    const now = Date.now();
    if (this.lastWarning !== undefined && now - this.lastWarning < WARN_EVERY_MS) return;
    this.lastWarning = now;
    const reason = error instanceof Error ? error.message : String(error);
    this.logger.warn(
      `rate limits not enforced: Redis failed (${reason}); letting requests through`,
    );
  }

  private recovered(): void {
    if (this.lastWarning === undefined) return;
    this.lastWarning = undefined;
    this.logger.log('rate limits enforced again: Redis answers');
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
