import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openEnvironment, type Environment } from './environment';
import { faultCatalogue, type Fault, type SystemKind } from './faults';
import {
  commitOf,
  currentLoad,
  passed,
  renderSection,
  renderTable,
  summarise,
  writeReliabilityDoc,
  type FaultSummary,
} from './report';
import { FaultRunner, type RunOptions, type RunResult } from './runner';

/**
 * `npm run faults`: each fault of the catalogue injected FAULTS_RUNS times into the
 * embedded default under a steady load, every invariant checked after each run, and the
 * table written to docs/reliability.md. Exits 1 when any invariant failed or a run did not
 * recover.
 */
const ROOT = resolve(__dirname, '../../../..');
const DOC = join(ROOT, 'docs/reliability.md');

const positive = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
};

const SYSTEMS: Readonly<Record<SystemKind, string>> = {
  'in-process': 'embedded, in-process',
  kafka: 'embedded, Kafka',
  pair: 'two embedded processes, in-process',
  topology: 'topology (5 processes, Kafka, nginx)',
};

const ALL_SYSTEMS: readonly SystemKind[] = ['in-process', 'kafka', 'pair', 'topology'];

/** FAULTS_SYSTEMS=in-process,kafka,pair,topology (all by default). */
const chosenSystems = (): readonly SystemKind[] => {
  const wanted = (process.env['FAULTS_SYSTEMS'] ?? '').split(',').filter(Boolean);
  const unknown = wanted.filter((w) => !(ALL_SYSTEMS as readonly string[]).includes(w));
  if (unknown.length > 0)
    throw new Error(
      `FAULTS_SYSTEMS: unknown ${unknown.join(', ')}; known: ${ALL_SYSTEMS.join(', ')}`,
    );
  return ALL_SYSTEMS.filter((s) => wanted.length === 0 || wanted.includes(s));
};

const SETTINGS = [
  'FAULTS_SYSTEMS',
  'FAULTS_RUNS',
  'FAULTS_CLIENTS',
  'FAULTS_TOPOLOGY_CLIENTS',
  'FAULTS_DOWN_MS',
  'FAULTS_ACKED',
  'FAULTS_ONLY',
];

/** The system open now: closed on SIGINT/SIGTERM, so that no server of the run outlives it. */
let current: Environment | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`${signal}: stopping the system under test\n`);
    void (current?.close() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

const main = async (): Promise<void> => {
  const startedAt = new Date();
  const code = commitOf(ROOT);
  const loadBefore = currentLoad();
  const runs = positive('FAULTS_RUNS', 5);
  const clients = positive('FAULTS_CLIENTS', 4);
  // Two cores run the five processes, the broker and nginx: four clients outrun supervision.
  const topologyClients = positive('FAULTS_TOPOLOGY_CLIENTS', 2);
  const downMs = positive('FAULTS_DOWN_MS', 3_000);
  const acked = positive('FAULTS_ACKED', 10);
  const only = (process.env['FAULTS_ONLY'] ?? '').split(',').filter(Boolean);
  const catalogue = faultCatalogue({ downMs });
  const unknown = only.filter((id) => !catalogue.some((f) => f.id === id));
  if (unknown.length > 0)
    throw new Error(
      `FAULTS_ONLY: unknown ${unknown.join(', ')}; known: ${catalogue.map((f) => f.id).join(', ')}`,
    );
  const faults = catalogue.filter((f) => only.length === 0 || only.includes(f.id));
  const workDir = await mkdtemp(join(tmpdir(), 'casegrid-faults-'));
  const log = (line: string): void => void process.stdout.write(`${line}\n`);
  const options: RunOptions = {
    ackedBefore: acked,
    ackedAfter: acked,
    recoveryTimeoutMs: 120_000,
    settleTimeoutMs: 60_000,
    log,
  };
  const summaries: FaultSummary[] = [];
  const systems: string[] = [];
  for (const transport of chosenSystems()) {
    const mine = faults.filter((f) => f.systems.includes(transport));
    if (mine.length === 0) continue;
    const env = await openEnvironment({
      root: ROOT,
      workDir,
      transport,
      clients: transport === 'topology' ? topologyClients : clients,
      commandTimeoutMs: 120_000,
    });
    current = env;
    systems.push(describeSystem(env));
    log(
      `${env.system.label}: ready ${env.startSeconds.toFixed(1)} s after the start (initdb included)`,
    );
    try {
      const runner = new FaultRunner(env.targets, env.load, env.checker, options);
      for (const fault of mine) {
        if (fault.id.startsWith('redis') && !env.targets.redis) {
          log(`${fault.id}: skipped, this machine has no redis-server`);
          continue;
        }
        summaries.push(await runFault(runner, fault, runs, env));
      }
    } finally {
      current = undefined;
      await env.close();
    }
  }
  await rm(workDir, { recursive: true, force: true });
  const table = renderTable(summaries);
  log(`\n${table}\n`);
  const command = [
    ...SETTINGS.filter((s) => process.env[s]).map((s) => `${s}=${process.env[s]}`),
    'npm run faults',
  ].join(' ');
  if (process.env['FAULTS_DOC'] !== '0') {
    const section = renderSection(
      {
        code,
        command,
        startedAt,
        seconds: (Date.now() - startedAt.getTime()) / 1000,
        loadBefore,
        loadAfter: currentLoad(),
        settings: `${runs} runs per fault, ${clients} clients (${topologyClients} on the topology), ${downMs / 1000} s down at least, ${acked} commands acknowledged before each fault and again after the recovery`,
        systems,
      },
      summaries,
    );
    await writeReliabilityDoc(DOC, section);
    log(`written to ${DOC}`);
  }
  if (!summaries.every(passed)) process.exitCode = 1;
};

const runFault = async (
  runner: FaultRunner,
  fault: Fault,
  runs: number,
  env: Environment,
): Promise<FaultSummary> => {
  const results: RunResult[] = [];
  for (let run = 1; run <= runs; run += 1) results.push(await runner.run(fault, run));
  return summarise(fault, SYSTEMS[env.transport], results);
};

const describeSystem = (env: Environment): string =>
  env.transport === 'topology'
    ? `${env.system.label}: \`startTopology\` of tools/topology (what \`npm run topology\` starts), each service's \`main.js\` a process on a database of its own on a PostgreSQL server of its own, the load through nginx, Redis of its own; kill -9 takes intake, mediation, petition, supervision, audit in turn; ready ${env.startSeconds.toFixed(1)} s after the start, initdb included`
    : `${env.system.label}: \`node dist/services/embedded/src/main.js\` (all five services in one process) on a ` +
      `PostgreSQL server of its own (the embedded default's binaries, restartable)` +
      (env.targets.kafka ? `, \`KAFKA_BROKERS\` on a librdkafka mock cluster of its own` : '') +
      (env.targets.redis ? `, \`REDIS_URL\` on a redis-server of its own` : '') +
      (env.targets.leader
        ? `; the load goes to the second process, started after the first, whose connections go through a TCP proxy`
        : '') +
      `; ready ${env.startSeconds.toFixed(1)} s after the start, initdb included`;

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
