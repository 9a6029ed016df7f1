import { DEFAULT_URL } from './bench-config';

/** Settings of the HTTP phases (i) and (j), read once from the environment. */
export interface HttpBenchConfig {
  /** The bench database: its advisory lock keeps two bench runs from overlapping. */
  readonly lockUrl: string;
  /** The PostgreSQL server the systems' databases are created on (its `postgres` database). */
  readonly serverUrl: string;
  readonly redisUrl: string;
  /** Concurrent clients of the closed loop. */
  readonly clients: number;
  readonly warmupMs: number;
  readonly measureMs: number;
  /** Every Nth case answered 201 inside the window is followed on the ledger. */
  readonly sampleEvery: number;
  /** HTTP reads of the ledger by the visibility probe in flight at most. */
  readonly pollers: number;
  /** How often the probe looks for the pending samples on the ledger. */
  readonly pollIntervalMs: number;
  /** A sampled case still unseen after this long counts as never visible. */
  readonly visibilityTimeoutMs: number;
  /** How long audit may take, after the load, to hold every registered case's events. */
  readonly catchUpTimeoutMs: number;
  /** Which of the two systems run (`BENCH_HTTP_SYSTEMS=embedded,topology`, both by default). */
  readonly systems: readonly HttpSystem[];
}

export const HTTP_SYSTEMS = ['embedded', 'topology'] as const;
export type HttpSystem = (typeof HTTP_SYSTEMS)[number];

/**
 * The four limits a production deployment keeps (600 requests a minute per user, 20
 * sign-ins per address per 15 min, …), raised for the run: 32 clients from one address
 * would otherwise measure the limiter. Passed to every service process.
 */
export const RAISED_RATE_LIMITS: Readonly<Record<string, string>> = {
  RATE_LIMIT_LOGIN: '1000000/1m',
  RATE_LIMIT_LOGIN_FAILURES: '1000000/1m',
  RATE_LIMIT_ADDRESS: '1000000/1m',
  RATE_LIMIT_USER: '1000000/1m',
};

const positive = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};

const readSystems = (): readonly HttpSystem[] => {
  const raw = process.env['BENCH_HTTP_SYSTEMS'];
  if (raw === undefined || raw === '') return HTTP_SYSTEMS;
  const wanted = raw.split(',').map((s) => s.trim());
  const unknown = wanted.filter((s) => !(HTTP_SYSTEMS as readonly string[]).includes(s));
  if (unknown.length > 0) {
    throw new Error(`BENCH_HTTP_SYSTEMS must list some of ${HTTP_SYSTEMS.join(', ')}; got ${raw}`);
  }
  return HTTP_SYSTEMS.filter((s) => wanted.includes(s));
};

export const readHttpBenchConfig = (): HttpBenchConfig => {
  const lockUrl = process.env['BENCH_DATABASE_URL'] || DEFAULT_URL;
  const server = new URL(lockUrl);
  server.pathname = '/postgres';
  return {
    lockUrl,
    serverUrl: server.toString(),
    redisUrl: process.env['BENCH_REDIS_URL'] || 'redis://127.0.0.1:6379/0',
    clients: Math.round(positive('BENCH_HTTP_CLIENTS', 32)),
    warmupMs: positive('BENCH_HTTP_WARMUP_SECONDS', 3) * 1000,
    measureMs: positive('BENCH_HTTP_SECONDS', 20) * 1000,
    sampleEvery: Math.round(positive('BENCH_HTTP_SAMPLE_EVERY', 5)),
    pollers: 8,
    pollIntervalMs: 15,
    visibilityTimeoutMs: 60_000,
    catchUpTimeoutMs: positive('BENCH_HTTP_CATCH_UP_SECONDS', 90) * 1000,
    systems: readSystems(),
  };
};
