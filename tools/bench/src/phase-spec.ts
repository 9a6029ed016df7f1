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

/** What a child process is asked to measure (sent as JSON on its command line). */
export type PhaseSpec = OursSpec | BaselineSpec | SeedSpec | ReplaySpec;

export type PhaseResult =
  | { readonly kind: 'load'; readonly load: LoadResult; readonly peakRssMb: number }
  | { readonly kind: 'seed'; readonly events: number; readonly seconds: number }
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
