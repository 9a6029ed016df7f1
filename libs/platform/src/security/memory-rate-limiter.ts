import type { Rate } from '../config/casegrid.config';
import type { RateDecision, RateLimiter } from './rate-limiter';
import { decide } from './rate-window';

interface Window {
  used: number;
  readonly endsAt: number;
}

export interface MemoryRateLimiterOptions {
  /** Injected so that windows can end in a test without waiting for them. */
  readonly now?: () => number;
  /** Past this many live keys the oldest window is forgotten: memory stays bounded. */
  readonly maxKeys?: number;
  /** How often ended windows are swept out (on the next call after this long). */
  readonly sweepEveryMs?: number;
}

/**
 * The same fixed windows as `RedisRateLimiter`, held in this process: the embedded default
 * without Redis, where one process serves everything. Ended windows are swept out, and
 * `maxKeys` caps the map under a flood of addresses at the price of forgetting the oldest
 * windows first (~100 bytes a key: the default cap is about 10 MB).
 */
export class MemoryRateLimiter implements RateLimiter {
  // Insertion order is window-start order (a key is re-inserted when its window restarts),
  // so the first entries are the oldest.
  private readonly windows = new Map<string, Window>();
  private readonly now: () => number;
  private readonly maxKeys: number;
  private readonly sweepEveryMs: number;
  private nextSweepAt: number;

  constructor(options: MemoryRateLimiterOptions = {}) {
    this.now = options.now ?? Date.now;
    this.maxKeys = options.maxKeys ?? 100_000;
    this.sweepEveryMs = options.sweepEveryMs ?? 60_000;
    this.nextSweepAt = this.now() + this.sweepEveryMs;
  }

  /** Keys held, live or not yet swept. */
  get size(): number {
    return this.windows.size;
  }

  async consume(key: string, rate: Rate): Promise<RateDecision> {
    return this.hit(key, rate, true);
  }

  async peek(key: string, rate: Rate): Promise<RateDecision> {
    return this.hit(key, rate, false);
  }

  async reset(key: string): Promise<void> {
    this.windows.delete(key);
  }

  private hit(key: string, rate: Rate, count: boolean): RateDecision {
    const now = this.now();
    this.sweep(now);
    let window = this.windows.get(key);
    if (window !== undefined && window.endsAt <= now) {
      this.windows.delete(key);
      window = undefined;
    }
    const used = window?.used ?? 0;
    if (count && used < rate.limit) {
      window ??= this.open(key, now + rate.windowMs);
      window.used += 1;
      return decide(window.used, window.endsAt - now, rate, true);
    }
    return decide(used, window === undefined ? 0 : window.endsAt - now, rate, false);
  }

  private open(key: string, endsAt: number): Window {
    if (this.windows.size >= this.maxKeys) {
      const oldest = this.windows.keys().next();
      if (oldest.done !== true) this.windows.delete(oldest.value);
    }
    const window: Window = { used: 0, endsAt };
    this.windows.set(key, window);
    return window;
  }

  private sweep(now: number): void {
    if (now < this.nextSweepAt) return;
    this.nextSweepAt = now + this.sweepEveryMs;
    for (const [key, window] of this.windows) {
      if (window.endsAt <= now) this.windows.delete(key);
    }
  }
}
