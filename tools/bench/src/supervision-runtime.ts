import { DEFAULT_CALENDAR_YEARS } from '@casegrid/calendar';
import { DEFAULT_DEADLINE_POLICIES } from '@casegrid/deadlines';
import {
  kernelMigrations,
  openServiceDatabase,
  PgEventStore,
  quoteSchema,
} from '@casegrid/event-store';
import { InProcessTransport, OutboxRelay } from '@casegrid/messaging';
import {
  PgReferenceReader,
  referenceReplicaMigrations,
  type ServiceRuntime,
} from '@casegrid/runtime';
import {
  ClockContextSource,
  supervisionMigrations,
  LedgerStore,
} from '@casegrid/service-supervision';

/** The departments the seeded cases are dispatched to: a village committee and a police station. */
export const BENCH_DEPARTMENTS = {
  committee: { id: '0190a7f0-0000-7000-8000-0000000d0001', regionCode: '370102001001' },
  police: { id: '0190a7f0-0000-7000-8000-0000000d0002', regionCode: '370102001000' },
} as const;

/** The service's default, two working days per rung of the escalation ladder. */
const ESCALATION_INTERVAL = { length: 2, unit: 'working_days' } as const;

export interface SupervisionBench {
  readonly runtime: ServiceRuntime;
  readonly ledger: LedgerStore;
  readonly context: ClockContextSource;
  close(): Promise<void>;
}

/**
 * Supervision's kernel as `Infrastructure.open` builds it, in a bench schema: the event
 * store, the ledger tables and a reference-data replica, read through the service's own
 * `ClockContextSource`. The outbox relay exists (the scheduler wakes it) but is never
 * started, so the outbox rows stay: publishing is not what this bench measures.
 */
export const openSupervisionBench = async (
  url: string,
  schema: string,
  poolSize: number,
): Promise<SupervisionBench> => {
  const db = await openServiceDatabase({
    url,
    schema,
    migrations: [
      ...kernelMigrations(schema),
      ...referenceReplicaMigrations(schema),
      ...supervisionMigrations(schema),
    ],
    poolSize,
  });
  const relay = new OutboxRelay({
    pool: db.pool,
    schema,
    service: 'supervision',
    transport: new InProcessTransport({ pool: db.pool, schema: `${schema}_transport` }),
    onError: (error) => console.error(error),
  });
  const store = new PgEventStore({ pool: db.pool, schema });
  const runtime: ServiceRuntime = { service: 'supervision', db, store, relay };
  const reader = new PgReferenceReader(db.pool, schema);
  return {
    runtime,
    ledger: new LedgerStore(runtime),
    context: new ClockContextSource(reader, ESCALATION_INTERVAL),
    close: () => db.close(),
  };
};

/**
 * What intake would have replicated to supervision: the seeded deadline policies, the
 * official 2024–2026 calendar and the two departments, as `reference_data` rows.
 */
export const seedReference = async (bench: SupervisionBench): Promise<void> => {
  const rows: { kind: string; key: string; data: unknown }[] = [
    ...DEFAULT_DEADLINE_POLICIES.map((policy) => ({
      kind: 'deadline_policy',
      key: policy.code,
      data: { ...policy, version: 1, effectiveFrom: '2024-01-01T00:00:00+08:00' },
    })),
    ...DEFAULT_CALENDAR_YEARS.map((year) => ({
      kind: 'calendar',
      key: String(year.year),
      data: { ...year, source: null, version: 1 },
    })),
    ...Object.entries(BENCH_DEPARTMENTS).map(([name, d]) => ({
      kind: 'department',
      key: d.id,
      data: { ...d, name, type: name, tier: name === 'committee' ? 'village' : 'township' },
    })),
  ];
  await bench.runtime.db.pool.query(
    `insert into ${quoteSchema(bench.ledger.schema)}.reference_data (kind, key, data, version, occurred_at)
     select kind, key, data, 1, now()
     from unnest($1::text[], $2::text[], $3::jsonb[]) as r(kind, key, data)`,
    [rows.map((r) => r.kind), rows.map((r) => r.key), rows.map((r) => JSON.stringify(r.data))],
  );
};
