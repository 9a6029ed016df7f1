/** Settings of one `npm run bench`, read once from the environment. */
export interface BenchConfig {
  readonly url: string;
  readonly databaseName: string;
  /** Concurrent writers of the append workloads. */
  readonly writers: number;
  readonly warmupMs: number;
  readonly measureMs: number;
  /** Events seeded for the read-all replay. */
  readonly replayEvents: number;
  readonly replayPageSize: number;
  /** Also run our store under other group-commit settings and pool sizes (investigation). */
  readonly sweep: boolean;
  /** Which groups of workloads run (`BENCH_ONLY`); each rewrites only its own doc section. */
  readonly groups: readonly BenchGroup[];
  /** Open clocks of the large find-due population (the small one has 1,000). */
  readonly openClocks: number;
  readonly dueQueries: number;
  /** Cases with due clocks seeded for each scheduler round. */
  readonly breachCases: number;
  /** Cases whose accept clocks fall due at one midnight (breach delay). */
  readonly delayCases: number;
}

/**
 * `store`: the event store's workloads (a)–(d); `supervision`: the deadline clocks' (e)–(f);
 * `audit`: audit ingest and the ledger rebuild (g)–(h); `http`: registrations end to end
 * over HTTP (i)–(j). Each entry of package.json's `bench` runs the groups that are its own.
 */
export const BENCH_GROUPS = ['store', 'supervision', 'audit', 'http'] as const;
export type BenchGroup = (typeof BENCH_GROUPS)[number];

export const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/casegrid_bench';

/** Every schema the bench owns; all are dropped at start so runs start from the same state. */
export const SCHEMAS = {
  ours: 'bench_ours',
  emmett: 'bench_emmett',
  raw: 'bench_raw',
  replay: 'bench_replay',
  dueSmall: 'bench_due_small',
  dueLarge: 'bench_due_large',
  breachOne: 'bench_breach_one',
  breachTwo: 'bench_breach_two',
  breachDelay: 'bench_breach_delay',
} as const;

/** Timers due at the find-due query's instant, among either population. */
export const DUE_TIMERS = 100;
export const SMALL_OPEN_CLOCKS = 1_000;

const positiveNumber = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};

export const databaseNameOf = (url: string): string =>
  decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));

const readGroups = (): readonly BenchGroup[] => {
  const raw = process.env['BENCH_ONLY'];
  if (raw === undefined || raw === '') return BENCH_GROUPS;
  const wanted = raw.split(',').map((g) => g.trim());
  const unknown = wanted.filter((g) => !(BENCH_GROUPS as readonly string[]).includes(g));
  if (unknown.length > 0) {
    throw new Error(`BENCH_ONLY must list some of ${BENCH_GROUPS.join(', ')}; got ${raw}`);
  }
  return BENCH_GROUPS.filter((g) => wanted.includes(g));
};

export const readBenchConfig = (): BenchConfig => {
  const url = process.env['BENCH_DATABASE_URL'] || DEFAULT_URL;
  const databaseName = databaseNameOf(url);
  // The bench drops schemas: a name without "bench" is most likely a real database.
  if (!databaseName.toLowerCase().includes('bench')) {
    throw new Error(`refusing to run against database "${databaseName}": its name lacks "bench"`);
  }
  return {
    url,
    databaseName,
    writers: 16,
    warmupMs: positiveNumber('BENCH_WARMUP_SECONDS', 2) * 1000,
    measureMs: positiveNumber('BENCH_SECONDS', 10) * 1000,
    replayEvents: Math.round(positiveNumber('BENCH_REPLAY_EVENTS', 1_000_000)),
    replayPageSize: Math.round(positiveNumber('BENCH_REPLAY_PAGE_SIZE', 1000)),
    sweep: process.env['BENCH_SWEEP'] === '1',
    groups: readGroups(),
    openClocks: Math.round(positiveNumber('BENCH_OPEN_CLOCKS', 1_000_000)),
    dueQueries: Math.round(positiveNumber('BENCH_DUE_QUERIES', 2_000)),
    breachCases: Math.round(positiveNumber('BENCH_BREACH_CASES', 5_000)),
    delayCases: Math.round(positiveNumber('BENCH_DELAY_CASES', 600)),
  };
};
