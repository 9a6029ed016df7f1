import { loadavg } from 'node:os';
import { basename, dirname, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { databaseNameOf, readBenchConfig } from './bench-config';
import { ensureDatabase, holdBenchLock, readServerInfo } from './bench-database';
import { writeBenchmarksDoc } from './benchmarks-doc';
import { describeCode, HTTP_SOURCES } from './code-state';
import { readHttpBenchConfig } from './http-config';
import { runHttpPhase } from './http-phase';
import { cpuShares, readCpuTimes, readMachineInfo, sampleBusyShare } from './machine-info';
import { httpConsoleReport, httpMarkdownReport, type HttpOutcome } from './report-http';

/**
 * (i) and (j): registrations end to end over HTTP, on the embedded default and on the
 * multi-process topology (issue: the throughput and ledger-visibility targets).
 *
 *   npm run bench                # runs it after the other groups
 *   BENCH_ONLY=http npm run bench
 *
 * Each system runs as child processes of this one, on fresh databases of the machine's
 * PostgreSQL; the figures go between the `bench:http` markers of docs/benchmarks.md.
 */

/** The repository root: the build puts this file under <root>/dist/ (at any depth). */
const repoRoot = (): string => {
  let dir = __dirname;
  while (basename(dir) !== 'dist' && dirname(dir) !== dir) dir = dirname(dir);
  return dirname(dir);
};

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

const main = async (): Promise<void> => {
  // Like the audit group: package.json's `bench` runs this entry after the others.
  if (!readBenchConfig().groups.includes('http')) return;
  const config = readHttpBenchConfig();
  const busyBefore = await sampleBusyShare(1000);
  const loadBefore = loadavg()[0] ?? 0;
  const cpuAtStart = readCpuTimes();
  const started = performance.now();
  const startedAt = new Date();
  const root = repoRoot();

  await ensureDatabase(config.lockUrl, databaseNameOf(config.lockUrl));
  const release = await holdBenchLock(config.lockUrl);
  const outcomes: HttpOutcome[] = [];
  try {
    const server = await readServerInfo(config.lockUrl);
    for (const system of config.systems) {
      step(`(${system === 'embedded' ? 'i' : 'j'}) registrations over HTTP: ${system}`);
      try {
        outcomes.push({ system, figures: await runHttpPhase(system, root, config, step) });
      } catch (error) {
        // The next system still runs; the section reports the failure in place of figures.
        console.error(error);
        const message = error instanceof Error ? error.message : String(error);
        outcomes.push({ system, failure: message.split('\n')[0] ?? message });
      }
    }
    const run = {
      command: commandLine(),
      startedAt,
      totalSeconds: (performance.now() - started) / 1000,
      machine: readMachineInfo(),
      busyBefore,
      loadBefore,
      loadAfter: loadavg()[0] ?? 0,
      stealDuring: cpuShares(cpuAtStart, readCpuTimes())?.steal,
      code: describeCode(root, HTTP_SOURCES),
      server,
      config,
      outcomes,
    };
    console.log(httpConsoleReport(run));
    const doc = resolve(root, 'docs/benchmarks.md');
    await writeBenchmarksDoc(doc, httpMarkdownReport(run), 'http');
    step(`wrote ${relative(process.cwd(), doc)}`);
  } finally {
    await release();
  }
  if (outcomes.some((o) => o.failure !== undefined)) process.exitCode = 1;
};

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
