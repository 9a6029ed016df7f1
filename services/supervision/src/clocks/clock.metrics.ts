import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { Gauge, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@casegrid/platform';
import { LedgerStore } from '../ledger/ledger.store';

/**
 * Open clocks and breaches, read from the ledger at each scrape (the ledger is the one
 * place that knows every clock's state; a counter kept in memory would restart at zero
 * and be per instance).
 */
const CLOCKS_BY_STATE = `
  select d->>'obligation' as obligation, d->>'state' as state, count(*)::int as n
  from supervision.ledger l, jsonb_array_elements(l.state->'deadlines') d
  group by 1, 2`;

@Injectable()
export class ClockMetrics implements OnModuleInit {
  constructor(
    @Inject(METRICS_REGISTRY) private readonly metrics: Registry,
    @Inject(LedgerStore) private readonly ledger: LedgerStore,
  ) {}

  onModuleInit(): void {
    const pool = this.ledger.runtime.db.pool;
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
