import type { LoadOptions, LoadResult } from './closed-loop';

interface Connection {
  readonly url: string;
  readonly schema: string;
}

export interface OursSpec extends Connection {
  readonly phase: 'ours';
  readonly poolSize: number;
  readonly groupCommit?: { readonly maxBatchSize: number; readonly maxInFlight: number };
  readonly load: LoadOptions;
}

/** Emmett and the raw INSERT baseline take the same knobs. */
export interface BaselineSpec extends Connection {
  readonly phase: 'emmett' | 'raw';
  readonly poolSize: number;
  readonly load: LoadOptions;
}

export interface SeedSpec extends Connection {
  readonly phase: 'seed';
  readonly events: number;
  readonly streams: number;
}

export interface ReplaySpec extends Connection {
  readonly phase: 'replay';
  readonly pageSize: number;
  readonly expectedEvents: number;
}

/** Supervision's find-due query among few and many open clocks (one child, interleaved). */
export interface DueClocksSpec {
  readonly phase: 'due-clocks';
  readonly url: string;
  /** One schema per population: the open (future) timers seeded in each, and its schema. */
  readonly populations: readonly { readonly schema: string; readonly open: number }[];
  /** Timers due at the query's instant, in every population. */
  readonly due: number;
  /** Measured queries per population (after a warm-up). */
  readonly queries: number;
}

/** Ledger rows with running clocks, built by the domain and saved through `LedgerStore`. */
export interface BreachSeedSpec extends Connection {
  readonly phase: 'breach-seed';
  readonly cases: number;
  /** The scheduler's now in the fire phase: the seed counts the clocks due by then. */
  readonly fireAt: string;
}

/**
 * The scheduler's own loop (`start()`, the service's poll interval) on a clock that runs at
 * wall speed, from `leadMs` before the first seeded due time until every clock due then has
 * breached: how long after its due time each breach is recorded.
 */
export interface BreachDelaySpec extends Connection {
  readonly phase: 'breach-delay';
  readonly leadMs: number;
  readonly pollIntervalMs: number;
  /** Give up this long after the window's end. */
  readonly timeoutMs: number;
}

/** One scheduler instance: `runDue()` once, starting at `startAt` (epoch ms) with the others. */
export interface BreachFireSpec extends Connection {
  readonly phase: 'breach-fire';
  readonly fireAt: string;
  readonly startAt: number;
}

/** What a child process is asked to measure (sent as JSON on its command line). */
export type PhaseSpec =
  | OursSpec
  | BaselineSpec
  | SeedSpec
  | ReplaySpec
  | DueClocksSpec
  | BreachSeedSpec
  | BreachFireSpec
  | BreachDelaySpec;

export interface DueLatency {
  readonly schema: string;
  readonly open: number;
  readonly due: number;
  /** Rows the find-due query returned (its batch). */
  readonly rows: number;
  readonly queries: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly seedSeconds: number;
  /** `EXPLAIN (ANALYZE, BUFFERS)` of the statement, as PostgreSQL prints it. */
  readonly plan: readonly string[];
}

export type PhaseResult =
  | { readonly kind: 'load'; readonly load: LoadResult; readonly peakRssMb: number }
  | { readonly kind: 'seed'; readonly events: number; readonly seconds: number }
  | { readonly kind: 'due-clocks'; readonly populations: readonly DueLatency[] }
  | {
      readonly kind: 'breach-seed';
      readonly cases: number;
      /** Running clocks due by `fireAt`: each must breach exactly once. */
      readonly dueClocks: number;
      readonly events: number;
      readonly seconds: number;
    }
  | {
      readonly kind: 'breach-fire';
      readonly fired: number;
      readonly skipped: number;
      /** Wall-clock instants (epoch ms) of the round's start and end. */
      readonly began: number;
      readonly ended: number;
      /** This process's CPU for the round (µs). */
      readonly cpuMicros: number;
    }
  | {
      readonly kind: 'breach-delay';
      /** Clocks due at the first due time (each must breach once). */
      readonly dueClocks: number;
      /** Due time to the breach's commit, ms, one per breached clock, ascending. */
      readonly delaysMs: readonly number[];
      /** Scheduler rounds that reported an error. */
      readonly errors: number;
    }
  | {
      readonly kind: 'replay';
      readonly events: number;
      readonly pages: number;
      readonly pageSize: number;
      readonly seconds: number;
      readonly perSecond: number;
      readonly rssBeforeMb: number;
      readonly peakRssMb: number;
    };

/** Peak resident set size of this process so far (`maxRSS` is in kilobytes). */
export const peakRssMb = (): number => process.resourceUsage().maxRSS / 1024;
