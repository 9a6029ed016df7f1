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
}

export const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/casegrid_bench';

/** Every schema the bench owns; all are dropped at start so runs start from the same state. */
export const SCHEMAS = {
  ours: 'bench_ours',
  emmett: 'bench_emmett',
  raw: 'bench_raw',
  replay: 'bench_replay',
} as const;

const positiveNumber = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};

export const databaseNameOf = (url: string): string =>
  decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));

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
  };
};
