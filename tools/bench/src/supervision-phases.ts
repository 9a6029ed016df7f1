import { Client } from 'pg';
import { quoteSchema } from '@casegrid/event-store';
import { DUE_TIMERS, SCHEMAS, SMALL_OPEN_CLOCKS, type BenchConfig } from './bench-config';
import { checkpoint, dropSchemas } from './bench-database';
import { runPhaseInChild } from './child-phase';
import { percentile } from './closed-loop';
import type { DueLatency, PhaseResult } from './phase-spec';

type Result<K extends PhaseResult['kind']> = Extract<PhaseResult, { kind: K }>;

/** The scheduler's now: Wednesday 09:00, the morning after every seeded accept clock ran out. */
const FIRE_AT = '2025-11-19T09:00:00+08:00';
/** Children start their round together this long after being forked (connect, migrate, read context). */
const START_DELAY_MS = 4_000;

export interface BreachRound {
  readonly instances: number;
  readonly seed: Result<'breach-seed'>;
  readonly rounds: readonly Result<'breach-fire'>[];
  /** From the first instance's start to the last one's end. */
  readonly seconds: number;
  readonly fired: number;
  readonly skipped: number;
  readonly breached: number;
  /** supervision events the round appended (breaches, escalations). */
  readonly events: number;
  readonly cpuMicros: number;
}

/** How long after its due time each breach was recorded, the scheduler running on its own. */
export interface BreachDelay {
  readonly cases: number;
  readonly pollIntervalMs: number;
  readonly dueClocks: number;
  readonly breached: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly errors: number;
}

export interface SupervisionResults {
  readonly due: readonly DueLatency[];
  readonly breaches: readonly BreachRound[];
  readonly delay: BreachDelay;
}

/** The service's default poll interval (`SUPERVISION_POLL_MS`). */
const SERVICE_POLL_MS = 1_000;
/** The clock starts this long before the first due time. */
const DELAY_LEAD_MS = 3_000;

/**
 * (f) the delay: `delayCases` cases seeded as for the rounds (their accept clocks all fall
 * due at Tuesday's midnight), then the scheduler's own loop on a clock at wall speed across
 * that midnight until every clock due at it breached.
 */
const breachDelay = async (
  entry: string,
  config: BenchConfig,
  step: (message: string) => void,
): Promise<BreachDelay> => {
  const { url } = config;
  const schema = SCHEMAS.breachDelay;
  step(
    `(f) breach delay: ${config.delayCases.toLocaleString('en-US')} cases due at one midnight, the scheduler's own loop`,
  );
  await seedBreaches(entry, url, schema, config.delayCases);
  const run = await runPhaseInChild(entry, {
    phase: 'breach-delay',
    url,
    schema,
    leadMs: DELAY_LEAD_MS,
    pollIntervalMs: SERVICE_POLL_MS,
    timeoutMs: 120_000,
  });
  if (run.kind !== 'breach-delay') throw new Error(`unexpected ${run.kind} result`);
  const s = quoteSchema(schema);
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const twice = Number((await client.query<{ n: string }>(breachedTwiceSql(s))).rows[0]!.n);
    if (twice > 0) throw new Error(`breach delay: ${twice} clocks breached more than once`);
  } finally {
    await client.end();
  }
  return {
    cases: config.delayCases,
    pollIntervalMs: SERVICE_POLL_MS,
    dueClocks: run.dueClocks,
    breached: run.delaysMs.length,
    p50Ms: percentile(run.delaysMs, 0.5),
    p99Ms: percentile(run.delaysMs, 0.99),
    maxMs: run.delaysMs[run.delaysMs.length - 1] ?? NaN,
    errors: run.errors,
  };
};

/** A fresh schema of seeded cases (`phase-breach-seed.ts`), checkpointed before it is used. */
const seedBreaches = async (
  entry: string,
  url: string,
  schema: string,
  cases: number,
): Promise<Result<'breach-seed'>> => {
  await dropSchemas(url, [schema]);
  const seed = await runPhaseInChild(entry, {
    phase: 'breach-seed',
    url,
    schema,
    cases,
    fireAt: FIRE_AT,
  });
  if (seed.kind !== 'breach-seed') throw new Error(`unexpected ${seed.kind} result`);
  await checkpoint(url);
  return seed;
};

/** Clocks with more than one `DeadlineBreached` in the (quoted) schema `s`. */
const breachedTwiceSql = (s: string): string =>
  `select count(*) as n from (select 1 from ${s}.events where event_type = 'DeadlineBreached'
   group by stream_id, data->>'clockId' having count(*) > 1) d`;

/**
 * The proof that goes with the figure: every clock due by `FIRE_AT` breached exactly
 * once, nothing due is left in `case_timers`, and no case is fired twice.
 */
const verify = async (url: string, schema: string, seed: Result<'breach-seed'>) => {
  const s = quoteSchema(schema);
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const one = async (sql: string, params: unknown[] = []): Promise<number> =>
      Number((await client.query<{ n: string }>(sql, params)).rows[0]!.n);
    const breached = await one(
      `select count(*) as n from ${s}.events where event_type = 'DeadlineBreached'`,
    );
    const twice = await one(breachedTwiceSql(s));
    const stillDue = await one(`select count(*) as n from ${s}.case_timers where fire_at <= $1`, [
      FIRE_AT,
    ]);
    const events = (await one(`select count(*) as n from ${s}.events`)) - seed.events;
    const problems = [
      breached !== seed.dueClocks &&
        `${breached} DeadlineBreached events for ${seed.dueClocks} due clocks`,
      twice > 0 && `${twice} clocks breached more than once`,
      stillDue > 0 && `${stillDue} timers still due after the round`,
    ].filter((p): p is string => typeof p === 'string');
    if (problems.length > 0) throw new Error(`breach round in ${schema}: ${problems.join('; ')}`);
    return { breached, events };
  } finally {
    await client.end();
  }
};

const breachRound = async (
  entry: string,
  config: BenchConfig,
  schema: string,
  instances: number,
  step: (message: string) => void,
): Promise<BreachRound> => {
  const { url } = config;
  step(`(f) seeding ${config.breachCases.toLocaleString('en-US')} cases through LedgerStore`);
  const seed = await seedBreaches(entry, url, schema, config.breachCases);
  step(`(f) runDue() on ${instances} scheduler instance${instances > 1 ? 's' : ''}`);
  const startAt = Date.now() + START_DELAY_MS;
  const rounds = await Promise.all(
    Array.from({ length: instances }, () =>
      runPhaseInChild(entry, { phase: 'breach-fire', url, schema, fireAt: FIRE_AT, startAt }),
    ),
  );
  const fires = rounds.map((r) => {
    if (r.kind !== 'breach-fire') throw new Error(`unexpected ${r.kind} result`);
    return r;
  });
  const { breached, events } = await verify(url, schema, seed);
  const seconds =
    (Math.max(...fires.map((r) => r.ended)) - Math.min(...fires.map((r) => r.began))) / 1000;
  return {
    instances,
    seed,
    rounds: fires,
    seconds,
    fired: fires.reduce((n, r) => n + r.fired, 0),
    skipped: fires.reduce((n, r) => n + r.skipped, 0),
    breached,
    events,
    cpuMicros: fires.reduce((n, r) => n + r.cpuMicros, 0),
  };
};

/** (e) finding due clocks among few and many, (f) breaches fired per second, 1 and 2 instances. */
export const measureSupervision = async (
  entry: string,
  config: BenchConfig,
  step: (message: string) => void,
): Promise<SupervisionResults> => {
  const { url } = config;
  const populations = [
    { schema: SCHEMAS.dueSmall, open: SMALL_OPEN_CLOCKS },
    { schema: SCHEMAS.dueLarge, open: config.openClocks },
  ];
  step(
    `(e) seeding ${populations.map((p) => p.open.toLocaleString('en-US')).join(' and ')} open timers, then the find-due query`,
  );
  await dropSchemas(
    url,
    populations.map((p) => p.schema),
  );
  await checkpoint(url);
  const due = await runPhaseInChild(entry, {
    phase: 'due-clocks',
    url,
    populations,
    due: DUE_TIMERS,
    queries: config.dueQueries,
  });
  if (due.kind !== 'due-clocks') throw new Error(`unexpected ${due.kind} result`);
  const breaches = [
    await breachRound(entry, config, SCHEMAS.breachOne, 1, step),
    await breachRound(entry, config, SCHEMAS.breachTwo, 2, step),
  ];
  const delay = await breachDelay(entry, config, step);
  return { due: due.populations, breaches, delay };
};
