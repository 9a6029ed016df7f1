import { performance } from 'node:perf_hooks';
import { percentile } from './closed-loop';

export interface VisibilityOptions {
  /** Ledger reads over HTTP in flight at most. */
  readonly pollers: number;
  /** How often the ledger's table is checked for the pending samples (one query for all). */
  readonly intervalMs: number;
  /** A sample still unseen this long after its registration counts as never visible. */
  readonly timeoutMs: number;
}

/** How the probe looks at the ledger. */
export interface LedgerReads {
  /** Which of `ids` the ledger's table holds now: one cheap query, whatever their number. */
  present(ids: readonly string[]): Promise<ReadonlySet<string>>;
  /** The HTTP status of the ledger's case read (`GET /api/v1/cases/{id}`). */
  read(id: string): Promise<number>;
}

export interface VisibilityResult {
  readonly samples: number;
  readonly visible: number;
  /** Samples the ledger did not show within the timeout: reported, never dropped. */
  readonly neverVisible: number;
  /** Over every sample, a never-visible one counting as Infinity. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** HTTP reads of the ledger the probe made, and the statuses other than 200 among them. */
  readonly reads: number;
  readonly readErrors: Readonly<Record<string, number>>;
  /** Queries of the ledger's table. */
  readonly checks: number;
  /**
   * Median time from the last check that did not find the case (or its 201) to the 200's
   * arrival: how precisely each figure is known.
   */
  readonly resolutionP50Ms: number;
}

interface Sample {
  readonly id: string;
  /** When the registration's 201 arrived. */
  readonly answeredAt: number;
  /** When the last look that did not find the case began. */
  lastMiss: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Follows sampled registrations on the ledger while the load runs. A case read over HTTP
 * costs the ledger's process about a sixth of a registration's CPU (2.3 ms against 14 on
 * this machine), so reading every pending sample every 15 ms would make the probe the
 * load. Instead one query every `intervalMs` asks the ledger's table — the row
 * `GET /api/v1/cases/{id}` answers from — which pending cases it holds, and each case found
 * is then read over HTTP, as the city supervisor, until it answers 200 (at most `pollers`
 * reads in flight). Visibility is that 200's arrival less the 201's.
 */
export class VisibilityProbe {
  private readonly waiting = new Map<string, Sample>();
  private readonly found: Sample[] = [];
  private inFlight = 0;
  private closing = false;
  private abandoned = false;
  private samples = 0;
  private reads = 0;
  private checks = 0;
  private neverVisible = 0;
  private readonly latencies: number[] = [];
  private readonly gaps: number[] = [];
  private readonly errors: Record<string, number> = {};
  private readonly running: Promise<void>;
  private readonly confirming = new Set<Promise<void>>();

  constructor(
    private readonly ledger: LedgerReads,
    private readonly options: VisibilityOptions,
  ) {
    this.running = this.watch();
  }

  add(id: string, answeredAt: number): void {
    this.samples += 1;
    this.waiting.set(id, { id, answeredAt, lastMiss: answeredAt });
  }

  /** Samples not yet seen on the ledger nor given up. */
  pending(): number {
    return this.waiting.size + this.found.length + this.inFlight;
  }

  /** Stops looking at once (the phase failed): pending samples are left as they are. */
  abandon(): void {
    this.abandoned = true;
  }

  /** Waits until every sample is seen or given up, and summarises them. */
  async finish(): Promise<VisibilityResult> {
    this.closing = true;
    await this.running;
    // A sample never seen counts as infinitely late: it weighs on p99 and max as it should.
    const sorted = Float64Array.from([
      ...this.latencies,
      ...Array.from({ length: this.neverVisible }, () => Number.POSITIVE_INFINITY),
    ]).sort();
    const gaps = Float64Array.from(this.gaps).sort();
    return {
      samples: this.samples,
      visible: this.latencies.length,
      neverVisible: this.neverVisible,
      p50Ms: percentile(sorted, 0.5),
      p99Ms: percentile(sorted, 0.99),
      maxMs: sorted.length > 0 ? sorted[sorted.length - 1]! : Number.NaN,
      reads: this.reads,
      readErrors: { ...this.errors },
      checks: this.checks,
      resolutionP50Ms: percentile(gaps, 0.5),
    };
  }

  private async watch(): Promise<void> {
    while (!this.abandoned && (!this.closing || this.pending() > 0)) {
      const began = performance.now();
      if (this.waiting.size > 0) {
        this.checks += 1;
        const present = await this.ledger.present([...this.waiting.keys()]);
        for (const sample of this.waiting.values()) {
          if (present.has(sample.id)) {
            this.waiting.delete(sample.id);
            this.found.push(sample);
          } else if (began - sample.answeredAt > this.options.timeoutMs) {
            // One last read over HTTP before the sample is given up.
            this.waiting.delete(sample.id);
            this.found.push(sample);
          } else {
            sample.lastMiss = began;
          }
        }
      }
      while (this.found.length > 0 && this.inFlight < this.options.pollers) {
        const confirmation = this.confirm(this.found.shift()!);
        this.confirming.add(confirmation);
        const settled = (): void => void this.confirming.delete(confirmation);
        confirmation.then(settled, settled);
      }
      await sleep(Math.max(1, this.options.intervalMs - (performance.now() - began)));
    }
    await Promise.all(this.confirming);
  }

  /** Reads a case the table holds until it answers 200, or gives up at the timeout. */
  private async confirm(sample: Sample): Promise<void> {
    this.inFlight += 1;
    try {
      while (!this.abandoned) {
        const status = await this.ledger.read(sample.id);
        const answered = performance.now();
        this.reads += 1;
        if (status === 200) {
          this.latencies.push(answered - sample.answeredAt);
          this.gaps.push(answered - sample.lastMiss);
          return;
        }
        this.errors[String(status)] = (this.errors[String(status)] ?? 0) + 1;
        if (answered - sample.answeredAt > this.options.timeoutMs) {
          this.neverVisible += 1;
          return;
        }
        await sleep(this.options.intervalMs);
      }
    } finally {
      this.inFlight -= 1;
    }
  }
}
