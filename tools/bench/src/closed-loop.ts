import { performance } from 'node:perf_hooks';
import type { CpuMeter } from './cpu-meter';

export interface LoadOptions {
  readonly workers: number;
  readonly warmupMs: number;
  readonly measureMs: number;
}

export interface LoadResult {
  /** Operations acknowledged inside the measured window. */
  readonly operations: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** CPU per acknowledged operation, in microseconds, when a meter was given. */
  readonly clientCpuMicros?: number;
  readonly serverCpuMicros?: number;
}

/** One call of a worker; the worker issues the next as soon as it resolves. */
export type Operation = () => Promise<void>;

/** Nearest-rank percentile of ascending samples. */
export const percentile = (sorted: ArrayLike<number>, p: number): number => {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1]!;
};

/**
 * Closed loop: each worker waits for its operation before the next, as a request handler
 * waits for its append. An operation counts when it is acknowledged inside the window after
 * the warm-up, so connection set-up and plan caching stay out of the figures.
 */
export const runClosedLoop = async (
  options: LoadOptions,
  makeWorker: (index: number) => Operation,
  meter?: CpuMeter,
): Promise<LoadResult> => {
  const windowStart = performance.now() + options.warmupMs;
  const windowEnd = windowStart + options.measureMs;
  const latencies: number[] = [];
  let failure: { error: unknown } | undefined;

  const loop = async (operation: Operation): Promise<void> => {
    while (failure === undefined && performance.now() < windowEnd) {
      const began = performance.now();
      try {
        await operation();
      } catch (error) {
        // Stop everyone: figures from a half-failed run would mislead.
        failure ??= { error };
        return;
      }
      const ended = performance.now();
      if (ended >= windowStart && ended < windowEnd) latencies.push(ended - began);
    }
  };

  const workers = Array.from({ length: options.workers }, (_, i) => makeWorker(i));
  // The meter starts with the window; its failure fails the run like an operation's would.
  let metering: Promise<boolean> | undefined;
  const meterTimer = setTimeout(() => {
    metering = meter?.start().then(
      () => true,
      (error: unknown) => {
        failure ??= { error };
        return false;
      },
    );
  }, options.warmupMs);
  await Promise.all(workers.map(loop));
  clearTimeout(meterTimer);
  const metered = (await metering) === true;
  if (failure !== undefined) throw failure.error;
  const cpu = metered ? await meter?.stop() : undefined;

  const sorted = Float64Array.from(latencies).sort();
  const seconds = options.measureMs / 1000;
  return {
    operations: sorted.length,
    seconds,
    perSecond: sorted.length / seconds,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    clientCpuMicros: cpu && cpu.clientMicros / sorted.length,
    serverCpuMicros: cpu?.serverMicros && cpu.serverMicros / sorted.length,
  };
};
