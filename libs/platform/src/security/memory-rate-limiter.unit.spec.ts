import type { Rate } from '../config/casegrid.config';
import { MemoryRateLimiter } from './memory-rate-limiter';

const T0 = Date.parse('2025-03-01T09:00:00+08:00');
const TWO_PER_90S: Rate = { limit: 2, windowMs: 90_000 };

// The semantics shared with Redis are in rate-limiter.int.spec.ts; these are the clock and
// the memory bound, which only this one has.
describe('MemoryRateLimiter', () => {
  const clocked = (options: { maxKeys?: number; sweepEveryMs?: number } = {}) => {
    const clock = { now: T0 };
    const limiter = new MemoryRateLimiter({ ...options, now: () => clock.now });
    return { clock, limiter };
  };

  it('tells the whole seconds left in the window, counted from its first hit', async () => {
    const { clock, limiter } = clocked();
    await limiter.consume('a', TWO_PER_90S);
    clock.now += 30_500;
    await limiter.consume('a', TWO_PER_90S);
    expect(await limiter.consume('a', TWO_PER_90S)).toEqual({
      allowed: false,
      remaining: 0,
      retryAfterSeconds: 60,
    });
    clock.now += 59_499;
    expect((await limiter.consume('a', TWO_PER_90S)).retryAfterSeconds).toBe(1);
    clock.now += 1;
    expect(await limiter.consume('a', TWO_PER_90S)).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('sweeps out ended windows', async () => {
    const { clock, limiter } = clocked({ sweepEveryMs: 60_000 });
    for (let i = 0; i < 100; i++) await limiter.consume(`address:${i}`, TWO_PER_90S);
    expect(limiter.size).toBe(100);
    clock.now += 90_000;
    await limiter.peek('anyone', TWO_PER_90S);
    expect(limiter.size).toBe(0);
  });

  it('keeps live windows when sweeping', async () => {
    const { clock, limiter } = clocked({ sweepEveryMs: 60_000 });
    await limiter.consume('old', { limit: 1, windowMs: 60_000 });
    await limiter.consume('long', { limit: 1, windowMs: 900_000 });
    clock.now += 60_000;
    await limiter.peek('anyone', TWO_PER_90S);
    expect(limiter.size).toBe(1);
    expect((await limiter.consume('long', { limit: 1, windowMs: 900_000 })).allowed).toBe(false);
  });

  it('never holds more than maxKeys, forgetting the oldest windows first', async () => {
    const { limiter } = clocked({ maxKeys: 10 });
    for (let i = 0; i < 1_000; i++) await limiter.consume(`address:${i}`, TWO_PER_90S);
    expect(limiter.size).toBe(10);
    expect((await limiter.peek('address:999', TWO_PER_90S)).remaining).toBe(1);
    expect((await limiter.peek('address:0', TWO_PER_90S)).remaining).toBe(2);
  });

  it('creates no window for a peek', async () => {
    const { limiter } = clocked();
    await limiter.peek('nobody', TWO_PER_90S);
    expect(limiter.size).toBe(0);
  });
});
