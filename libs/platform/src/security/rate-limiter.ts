import type { Rate } from '../config/casegrid.config';

export interface RateDecision {
  readonly allowed: boolean;
  /** Hits the current window still has room for (after this one, for `consume`). */
  readonly remaining: number;
  /** Whole seconds until the window ends when refused (≥ 1); 0 when allowed. */
  readonly retryAfterSeconds: number;
}

/**
 * Fixed windows anchored at a key's first counted hit: at most `rate.limit` hits are counted
 * per `rate.windowMs`, then the key expires and counting starts afresh. A refused hit is not
 * counted, so a client that keeps hammering does not push its own window further out.
 *
 * The login endpoint counts failures per username with both methods:
 *
 *   await enforceRate(limiter, key, rate, { peek: true }); // blocked? (counts nothing)
 *   ... verify the password ...
 *   on failure: await limiter.consume(key, rate);          // count this failure only
 *   on success: await limiter.reset(key);                  // optional: start afresh
 */
export interface RateLimiter {
  /** Counts one hit against `key` if the window has room for it, and says whether it had. */
  consume(key: string, rate: Rate): Promise<RateDecision>;
  /** What `consume` would answer now, without counting anything. */
  peek(key: string, rate: Rate): Promise<RateDecision>;
  /** Forgets every hit counted against `key`. */
  reset(key: string): Promise<void>;
}

/** Nest token of the process's `RateLimiter` (Redis when configured, else in memory). */
export const RATE_LIMITER = Symbol('RATE_LIMITER');

/** A limit was reached; the problem filter answers it as 429 with `Retry-After`. */
export class TooManyRequestsError extends Error {
  /** Like the kernel's errors: a code survives where `instanceof` does not. */
  readonly code = 'too_many_requests';

  constructor(
    readonly retryAfterSeconds: number,
    message = 'Too many requests; retry later.',
  ) {
    super(message);
    this.name = 'TooManyRequestsError';
  }
}

export interface EnforceOptions {
  /** Check without counting (a username blocked by failed logins). */
  readonly peek?: boolean;
  readonly message?: string;
}

/** Counts a hit (or only checks, with `peek`) and throws `TooManyRequestsError` when refused. */
export async function enforceRate(
  limiter: RateLimiter,
  key: string,
  rate: Rate,
  options: EnforceOptions = {},
): Promise<void> {
  const decision = options.peek ? await limiter.peek(key, rate) : await limiter.consume(key, rate);
  if (!decision.allowed)
    throw new TooManyRequestsError(decision.retryAfterSeconds, options.message);
}
