import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { Gauge, type Registry } from 'prom-client';
import { EXTERNAL_PRODUCERS } from '@casegrid/contracts';
import {
  CASEGRID_CLOCK,
  METRICS_REGISTRY,
  ReadinessRegistry,
  type CasegridClock,
} from '@casegrid/platform';
import { WatermarkReader } from './watermarks';
import { LedgerStore } from '../ledger/ledger.store';
import { DeadlineScheduler } from './deadline.scheduler';
import { RescheduleJobs } from './reschedule.jobs';

/**
 * Open clocks and breaches, read from the ledger at each scrape (the ledger is the one
 * place that knows every clock's state; a counter kept in memory would restart at zero
 * and be per instance).
 */
const CLOCKS_BY_STATE = `
  select d->>'obligation' as obligation, d->>'state' as state, count(*)::int as n
  from supervision.ledger l, jsonb_array_elements(l.state->'deadlines') d
  group by 1, 2`;

/** A producer whose watermark lags business time by more than this is a readiness warning. */
const WATERMARK_WARNING_S = 30;

/** A reschedule not finished this long after its change is a readiness warning. */
const RESCHEDULE_WARNING_S = 60;

@Injectable()
export class ClockMetrics implements OnModuleInit {
  constructor(
    @Inject(METRICS_REGISTRY) private readonly metrics: Registry,
    @Inject(LedgerStore) private readonly ledger: LedgerStore,
    @Inject(WatermarkReader) private readonly watermarks: WatermarkReader,
    @Inject(CASEGRID_CLOCK) private readonly clock: CasegridClock,
    @Inject(ReadinessRegistry) private readonly readiness: ReadinessRegistry,
    @Inject(DeadlineScheduler) private readonly scheduler: DeadlineScheduler,
  ) {}

  /** Per producer, how far its watermark trails business time (s); absent: none yet. */
  private async lags(): Promise<Map<string, number>> {
    const read = await this.watermarks.read(this.ledger.runtime.db.pool);
    const now = this.clock.now().getTime();
    return new Map(
      EXTERNAL_PRODUCERS.map((p) => {
        const at = read.get(p);
        return [p, at === undefined ? Number.POSITIVE_INFINITY : (now - Date.parse(at)) / 1000];
      }),
    );
  }

  onModuleInit(): void {
    const pool = this.ledger.runtime.db.pool;
    const lags = () => this.lags();
    new Gauge({
      name: 'casegrid_watermark_lag_seconds',
      help: 'How far each producer’s watermark trails business time: deadlines that depend on it wait for it (+Inf: none heard yet).',
      labelNames: ['producer'],
      registers: [this.metrics],
      async collect() {
        this.reset();
        for (const [producer, lag] of await lags().catch(() => new Map<string, number>())) {
          this.set({ producer }, lag);
        }
      },
    });
    // Not a failure — the service serves, and firing catches up when the producer moves —
    // but a readiness warning names who holds the deadlines back.
    this.readiness.registerWarning('watermarks', async () => {
      const stalled = [...(await lags())].filter(([, lag]) => lag > WATERMARK_WARNING_S);
      if (stalled.length > 0) {
        throw new Error(
          `deadlines wait for ${stalled
            .map(
              ([p, lag]) =>
                `${p} (${Number.isFinite(lag) ? `${Math.round(lag)} s behind` : 'not heard yet'})`,
            )
            .join(', ')}`,
        );
      }
    });
    // The clocks a pending reschedule may move wait for it (the scheduler holds them): one
    // that does not finish holds them for as long, and says so.
    const jobs = new RescheduleJobs(this.ledger.schema);
    this.readiness.registerWarning('reschedules', async () => {
      const late = (await jobs.pending(pool)).filter(
        (job) => Date.now() - job.recordedAt.getTime() > RESCHEDULE_WARNING_S * 1000,
      );
      if (late.length > 0) {
        throw new Error(
          `deadlines wait for the reschedule of ${late
            .map((job) => `${job.kind} ${job.key} v${job.version}`)
            .join(', ')} (pending over ${RESCHEDULE_WARNING_S} s)`,
        );
      }
    });
    const scheduler = this.scheduler;
    new Gauge({
      name: 'casegrid_deadline_scheduler_rounds',
      help: 'Rounds the deadline scheduler of this instance has run since it started.',
      registers: [this.metrics],
      collect() {
        this.set(scheduler.progress.rounds);
      },
    });
    new Gauge({
      name: 'casegrid_deadline_cases_waiting',
      help: 'Due cases whose firing the last round held: behind a producer’s watermark, a parked event or a pending reschedule.',
      registers: [this.metrics],
      collect() {
        this.set(scheduler.progress.last?.waiting ?? 0);
      },
    });
    let rows: Promise<{ obligation: string; state: string; n: number }[]> | undefined;
    // One query serves both gauges of a scrape.
    const read = () => {
      rows ??= pool.query<{ obligation: string; state: string; n: number }>(CLOCKS_BY_STATE).then(
        (r) => r.rows,
        () => [],
      );
      const current = rows;
      setImmediate(() => (rows = undefined));
      return current;
    };
    new Gauge({
      name: 'casegrid_supervision_open_clocks',
      help: 'Statutory clocks still running or paused, per obligation.',
      labelNames: ['obligation', 'state'],
      registers: [this.metrics],
      async collect() {
        this.reset();
        for (const r of await read()) {
          if (r.state === 'running' || r.state === 'paused')
            this.set({ obligation: r.obligation, state: r.state }, r.n);
        }
      },
    });
    new Gauge({
      name: 'casegrid_supervision_breaches',
      help: 'Clocks that ran past their due time (超期), per obligation, ever.',
      labelNames: ['obligation'],
      registers: [this.metrics],
      async collect() {
        this.reset();
        for (const r of await read()) {
          if (r.state === 'breached') this.set({ obligation: r.obligation }, r.n);
        }
      },
    });
  }
}
