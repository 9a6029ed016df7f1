import { performance } from 'node:perf_hooks';
import { kernelMigrations, openServiceDatabase, PgEventStore, START } from '@casegrid/event-store';
import { peakRssMb, type PhaseResult, type ReplaySpec } from './phase-spec';

/** (d) A projection rebuild: readAll from START to the end, page by page. */
export const runReplay = async (spec: ReplaySpec): Promise<PhaseResult> => {
  const db = await openServiceDatabase({
    url: spec.url,
    schema: spec.schema,
    migrations: kernelMigrations(spec.schema),
    poolSize: 2,
  });
  try {
    const store = new PgEventStore({ pool: db.pool, schema: spec.schema });
    const rssBeforeMb = process.memoryUsage.rss() / 1024 / 1024;
    const began = performance.now();
    let checkpoint = START;
    let events = 0;
    let pages = 0;
    for (;;) {
      const page = await store.readAll(checkpoint, spec.pageSize);
      if (page.events.length === 0) break;
      events += page.events.length;
      pages += 1;
      checkpoint = page.checkpoint;
    }
    const seconds = (performance.now() - began) / 1000;
    if (events !== spec.expectedEvents) {
      throw new Error(`replay read ${events} events, expected ${spec.expectedEvents}`);
    }
    return {
      kind: 'replay',
      events,
      pages,
      pageSize: spec.pageSize,
      seconds,
      perSecond: events / seconds,
      rssBeforeMb,
      peakRssMb: peakRssMb(),
    };
  } finally {
    await db.close();
  }
};
