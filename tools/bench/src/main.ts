import { loadavg } from 'node:os';
import { basename, dirname, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { readBenchConfig, SCHEMAS, type BenchConfig } from './bench-config';
import {
  checkpoint,
  dropAllBenchSchemas,
  dropSchemas,
  ensureDatabase,
  holdBenchLock,
  quiesce,
  readServerInfo,
} from './bench-database';
import { writeBenchmarksDoc } from './benchmarks-doc';
import { isChildInvocation, runPhaseInChild, serveChildPhase } from './child-phase';
import type { LoadResult } from './closed-loop';
import {
  cpuShares,
  readCpuTimes,
  readMachineInfo,
  sampleBusyShare,
  type CpuTimes,
} from './machine-info';
import { describeCode, STORE_SOURCES, SUPERVISION_SOURCES } from './code-state';
import type { PhaseResult, PhaseSpec } from './phase-spec';
import { consoleReport, markdownReport, type BenchRun, type RunEnvironment } from './report';
import { supervisionConsoleReport, supervisionMarkdownReport } from './report-supervision';
import { measureSupervision } from './supervision-phases';

/** The repository root: the build puts this file under <root>/dist/ (at any depth). */
const repoRoot = (): string => {
  let dir = __dirname;
  while (basename(dir) !== 'dist' && dirname(dir) !== dir) dir = dirname(dir);
  return dirname(dir);
};

const OUR_POOL_SIZE = 20;

const commandLine = (): string => {
  const env = Object.keys(process.env)
    .filter((name) => name.startsWith('BENCH_'))
    .sort()
    .map((name) => `${name}=${process.env[name]}`);
  const event = process.env['npm_lifecycle_event'];
  const command = event
    ? `npm run ${event}`
    : `node ${relative(process.cwd(), process.argv[1] ?? '')}`;
  return [...env, command].join(' ');
};

const step = (message: string): void => console.log(`[bench] ${message}`);

const measureLoad = async (spec: PhaseSpec, url: string, schema: string): Promise<LoadResult> => {
  await dropSchemas(url, [schema]);
  await checkpoint(url);
  const result = await runPhaseInChild(__filename, spec);
  if (result.kind !== 'load') throw new Error(`unexpected ${result.kind} result`);
  return result.load;
};

const sweepSettings = [
  { label: 'group commit 256 x 1 in flight', maxBatchSize: 256, maxInFlight: 1, pool: 20 },
  { label: 'group commit 256 x 4 in flight', maxBatchSize: 256, maxInFlight: 4, pool: 20 },
  { label: 'group commit 256 x 8 in flight', maxBatchSize: 256, maxInFlight: 8, pool: 20 },
  { label: 'group commit 8 x 2 in flight', maxBatchSize: 8, maxInFlight: 2, pool: 20 },
  { label: 'no grouping: 1 x 16 in flight', maxBatchSize: 1, maxInFlight: 16, pool: 20 },
] as const;

/** What the machine looked like as the run began (reported next to the figures). */
interface RunStart {
  readonly busyBefore: number | undefined;
  readonly loadBefore: number;
  readonly cpuAtStart: CpuTimes | undefined;
  readonly started: number;
  readonly startedAt: Date;
}

const orchestrate = async (config: BenchConfig): Promise<void> => {
  const busyBefore = await sampleBusyShare(1000);
  const start: RunStart = {
    busyBefore,
    loadBefore: loadavg()[0] ?? 0,
    cpuAtStart: readCpuTimes(),
    started: performance.now(),
    startedAt: new Date(),
  };
  step(`database ${config.databaseName}: creating if missing, dropping bench schemas`);
  await ensureDatabase(config.url, config.databaseName);
  const release = await holdBenchLock(config.url);
  try {
    await measureAndReport(config, start);
  } finally {
    await release();
  }
};

type StoreFigures = Omit<BenchRun, keyof RunEnvironment | 'config'>;

/** (a)–(d): the event store's appends against Emmett and a raw INSERT, then the replay. */
const measureStore = async (config: BenchConfig): Promise<StoreFigures> => {
  const { url } = config;
  const load = { workers: config.writers, warmupMs: config.warmupMs, measureMs: config.measureMs };

  step('(a) our event store');
  const ours = await measureLoad(
    { phase: 'ours', url, schema: SCHEMAS.ours, poolSize: OUR_POOL_SIZE, load },
    url,
    SCHEMAS.ours,
  );
  step('(b) Emmett');
  const emmett = await measureLoad(
    { phase: 'emmett', url, schema: SCHEMAS.emmett, poolSize: OUR_POOL_SIZE, load },
    url,
    SCHEMAS.emmett,
  );
  step('(c) raw INSERT autocommit');
  const raw = await measureLoad(
    { phase: 'raw', url, schema: SCHEMAS.raw, poolSize: config.writers, load },
    url,
    SCHEMAS.raw,
  );

  const sweep: { label: string; load: LoadResult }[] = [];
  if (config.sweep) {
    for (const setting of sweepSettings) {
      step(`sweep: ${setting.label}`);
      const groupCommit = { maxBatchSize: setting.maxBatchSize, maxInFlight: setting.maxInFlight };
      const spec: PhaseSpec = {
        phase: 'ours',
        url,
        schema: SCHEMAS.ours,
        poolSize: setting.pool,
        groupCommit,
        load,
      };
      sweep.push({ label: setting.label, load: await measureLoad(spec, url, SCHEMAS.ours) });
    }
  }

  step(`(d) seeding ${config.replayEvents.toLocaleString('en-US')} events`);
  await dropSchemas(url, [SCHEMAS.replay]);
  const seed = await runPhaseInChild(__filename, {
    phase: 'seed',
    url,
    schema: SCHEMAS.replay,
    events: config.replayEvents,
    streams: Math.max(1, Math.floor(config.replayEvents / 10)),
  });
  if (seed.kind !== 'seed') throw new Error(`unexpected ${seed.kind} result`);
  await quiesce(url);
  step('(d) replaying with readAll');
  const replay: PhaseResult = await runPhaseInChild(__filename, {
    phase: 'replay',
    url,
    schema: SCHEMAS.replay,
    pageSize: config.replayPageSize,
    expectedEvents: config.replayEvents,
  });
  if (replay.kind !== 'replay') throw new Error(`unexpected ${replay.kind} result`);
  return { ours, emmett, raw, seedSeconds: seed.seconds, replay, sweep };
};

/**
 * Runs the groups `BENCH_ONLY` selects (all by default) and rewrites the section of each
 * in docs/benchmarks.md; a group not run keeps its section from an earlier run.
 */
const measureAndReport = async (config: BenchConfig, start: RunStart): Promise<void> => {
  const { url } = config;
  await dropAllBenchSchemas(url);
  const server = await readServerInfo(url);
  const store = config.groups.includes('store') ? await measureStore(config) : undefined;
  const supervisionStarted = performance.now();
  const supervision = config.groups.includes('supervision')
    ? await measureSupervision(__filename, config, step)
    : undefined;
  const supervisionSeconds = (performance.now() - supervisionStarted) / 1000;

  const environment = (code: string): RunEnvironment => ({
    command: commandLine(),
    startedAt: start.startedAt,
    totalSeconds: (performance.now() - start.started) / 1000,
    machine: readMachineInfo(),
    busyBefore: start.busyBefore,
    loadBefore: start.loadBefore,
    loadAfter: loadavg()[0] ?? 0,
    stealDuring: cpuShares(start.cpuAtStart, readCpuTimes())?.steal,
    code,
    server,
  });
  const doc = resolve(repoRoot(), 'docs/benchmarks.md');
  if (store) {
    const run: BenchRun = {
      ...environment(describeCode(repoRoot(), STORE_SOURCES)),
      config,
      ...store,
    };
    console.log(consoleReport(run));
    await writeBenchmarksDoc(doc, markdownReport(run));
  }
  if (supervision) {
    const run = {
      ...environment(describeCode(repoRoot(), SUPERVISION_SOURCES)),
      results: supervision,
      seconds: supervisionSeconds,
    };
    console.log(supervisionConsoleReport(run));
    await writeBenchmarksDoc(doc, supervisionMarkdownReport(run), 'supervision');
  }
  step(`wrote ${relative(process.cwd(), doc)}`);
};

const main = async (): Promise<void> => {
  if (isChildInvocation(process.argv)) {
    await serveChildPhase(process.argv);
    return;
  }
  const config = readBenchConfig();
  // The audit and HTTP groups have entries of their own (package.json `bench`).
  if (!config.groups.includes('store') && !config.groups.includes('supervision')) return;
  await orchestrate(config);
};

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
