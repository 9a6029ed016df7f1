import type { Rate } from '../config/casegrid.config';
import type { RateDecision } from './rate-limiter';

/** The decision for a key with `used` hits counted and `ttlMs` left in its window. */
export function decide(used: number, ttlMs: number, rate: Rate, counted: boolean): RateDecision {
  // A peek asks whether one more hit would fit; a consume has already been counted (or not).
  const allowed = counted || used < rate.limit;
  const remaining = Math.max(0, rate.limit - used);
  const retryAfterSeconds = allowed ? 0 : Math.max(1, Math.ceil(ttlMs / 1000));
  return { allowed, remaining, retryAfterSeconds };
}

/** The answer when the backend cannot be asked: a rate limit must not take the API down. */
export const allowAll = (rate: Rate): RateDecision => ({
  allowed: true,
  remaining: rate.limit,
  retryAfterSeconds: 0,
});
