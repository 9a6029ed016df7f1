import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SERVICES, type ServiceName } from '@casegrid/contracts';
// The bench starts the topology with the topology tool's own launcher, so that both run the
// same processes; no lib carries it (an alias would sit in tsconfig.base.json and .swcrc).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startTopology } from '../../topology/src/topology';
import { RAISED_RATE_LIMITS, type HttpBenchConfig } from './http-config';
import { recreateDatabase } from './http-databases';
import { descendantsOf } from './proc-stats';

/** One process of the system under test, whose memory and CPU the phase reports. */
export interface SystemProcess {
  /** `embedded`, a service's name, `broker` or `ingress`. */
  readonly role: string;
  readonly pid: number;
  /** A casegrid service (its RSS counts towards the system's), not nginx or the broker. */
  readonly service: boolean;
}

export interface SystemUnderTest {
  /** Where the clients send their requests: the process itself, or the ingress. */
  readonly baseUrl: string;
  readonly processes: readonly SystemProcess[];
  /** The databases holding intake's, supervision's and audit's schemas. */
  readonly databases: Readonly<Record<'intake' | 'supervision' | 'audit', string>>;
  /** Every database the system uses (for the PostgreSQL backends' CPU). */
  readonly allDatabases: readonly string[];
  /** Where the processes' logs are. */
  readonly workDir: string;
  /** Seconds from the start until the system answered ready. */
  readonly startSeconds: number;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 20_000;

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));

/** SIGTERM, then SIGKILL if the process has not exited within the grace period. */
const terminate = async (child: ChildProcess): Promise<void> => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const kill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited(child);
  clearTimeout(kill);
};

const answersReady = async (url: string): Promise<boolean> => {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return response.status === 200;
  } catch {
    return false;
  }
};

const logTail = async (path: string): Promise<string> =>
  (await readFile(path, 'utf8').catch(() => '')).split('\n').slice(-20).join('\n');

/**
 * (i) The embedded default, `node dist/services/embedded/src/main.js`: all five services
 * in one child process, on a database of its own on the machine's PostgreSQL and the
 * in-process transport. Its environment is only what the bench sets (and PATH, HOME).
 */
export const startEmbedded = async (
  root: string,
  config: HttpBenchConfig,
): Promise<SystemUnderTest> => {
  const started = performance.now();
  const databaseUrl = await recreateDatabase(config.serverUrl, 'casegrid_bench_http_embedded');
  const workDir = await mkdtemp(join(tmpdir(), 'casegrid-bench-http-'));
  const port = await freePort();
  const logPath = join(workDir, 'embedded.log');
  const log = createWriteStream(logPath, { flags: 'a' });
  // BENCH_HTTP_NODE_ARGS: extra Node flags for the child, e.g. `--cpu-prof --cpu-prof-dir=…`
  // for the profile in docs/benchmarks.md (written when the child stops).
  const nodeArgs = (process.env['BENCH_HTTP_NODE_ARGS'] ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(
    process.execPath,
    [...nodeArgs, join(root, 'dist/services/embedded/src/main.js')],
    {
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        HOME: process.env['HOME'] ?? workDir,
        CASEGRID_ENV: 'development',
        DATABASE_URL: databaseUrl,
        PORT: String(port),
        HOST: '127.0.0.1',
        CASEGRID_DATA_DIR: join(workDir, 'data'),
        LOG_LEVEL: 'warn',
        ...RAISED_RATE_LIMITS,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const stop = async (): Promise<void> => {
    await terminate(child);
    log.end();
  };
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!(await answersReady(`${baseUrl}/health/ready`))) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `the embedded system exited (${child.exitCode ?? child.signalCode}):\n${await logTail(logPath)}`,
        );
      }
      if (Date.now() > deadline)
        throw new Error(`the embedded system was not ready in time; see ${logPath}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    baseUrl,
    processes: [{ role: 'embedded', pid: child.pid!, service: true }],
    databases: { intake: databaseUrl, supervision: databaseUrl, audit: databaseUrl },
    allDatabases: [databaseUrl],
    workDir,
    startSeconds: (performance.now() - started) / 1000,
    stop,
  };
};

/** The topology's other processes: the mock broker's launcher and nginx (master, worker). */
const helperProcesses = (servicePids: ReadonlySet<number>): SystemProcess[] =>
  descendantsOf(process.pid)
    .filter((p) => !servicePids.has(p.pid))
    .flatMap((p) => {
      if (p.command.includes('launcher.js'))
        return [{ role: 'broker', pid: p.pid, service: false }];
      if (p.command.includes('nginx')) return [{ role: 'ingress', pid: p.pid, service: false }];
      return [];
    });

/**
 * (j) The production topology without Docker (tools/topology): the librdkafka mock broker,
 * each service a process of its own on a database of its own, nginx in front; requests go
 * through the ingress. The machine's Redis holds the shared limits.
 */
export const startTopologySystem = async (
  root: string,
  config: HttpBenchConfig,
): Promise<SystemUnderTest> => {
  const started = performance.now();
  const urls = {} as Record<ServiceName, string>;
  for (const service of SERVICES) {
    urls[service] = await recreateDatabase(config.serverUrl, `casegrid_bench_http_${service}`);
  }
  const workDir = await mkdtemp(join(tmpdir(), 'casegrid-bench-topology-'));
  const topology = await startTopology({
    root,
    workDir,
    databaseUrls: urls,
    redisUrl: config.redisUrl,
    env: {
      CASEGRID_ENV: 'development',
      LOG_LEVEL: 'warn',
      CASEGRID_DATA_DIR: join(workDir, 'data'),
      ...RAISED_RATE_LIMITS,
    },
  });
  const services: SystemProcess[] = SERVICES.flatMap((service) =>
    topology
      .instances(service)
      .flatMap((instance) =>
        instance.process?.pid === undefined
          ? []
          : [{ role: service, pid: instance.process.pid, service: true }],
      ),
  );
  const helpers = helperProcesses(new Set(services.map((s) => s.pid)));
  return {
    baseUrl: topology.ingressUrl,
    processes: [...services, ...helpers],
    databases: { intake: urls.intake, supervision: urls.supervision, audit: urls.audit },
    allDatabases: SERVICES.map((s) => urls[s]),
    workDir,
    startSeconds: (performance.now() - started) / 1000,
    stop: () => topology.stop(),
  };
};
