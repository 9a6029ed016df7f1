import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { waitUntil } from '@casegrid/testing';
import { freePort } from './private-postgres';

/** What the checks read: the database holding each service's schema. */
export type CheckedService = 'intake' | 'mediation' | 'supervision' | 'audit';

/** The application names the pair's sessions carry (PGAPPNAME), to tell their leases apart. */
export const LEADER_APP = 'casegrid-leader';
export const STANDBY_APP = 'casegrid-standby';

/** A running casegrid the faults are injected into. */
export interface SystemUnderTest {
  readonly label: string;
  readonly baseUrl: string;
  readonly databases: Readonly<Record<CheckedService, string>>;
  /**
   * kill -9 of a process (the embedded one; a service's in turn), then started again at
   * once; resolves once the new process is spawned and says which it was.
   */
  crash(): Promise<string>;
  /** `/health/ready` answers 200. */
  ready(): Promise<boolean>;
  stop(): Promise<void>;
}

/**
 * Four raised limits, as in the HTTP bench: a few clients from one address sign in and
 * send far more than a production limit allows, and must measure the system, not it.
 */
export const RAISED_RATE_LIMITS = {
  RATE_LIMIT_LOGIN: '1000000/1m',
  RATE_LIMIT_LOGIN_FAILURES: '1000000/1m',
  RATE_LIMIT_ADDRESS: '1000000/1m',
  RATE_LIMIT_USER: '1000000/1m',
};

export interface EmbeddedOptions {
  /** The workspace root; `dist/` holds the build. */
  readonly root: string;
  readonly workDir: string;
  readonly label: string;
  readonly databaseUrl: string;
  /** KAFKA_BROKERS, REDIS_URL and anything else on top of the defaults. */
  readonly env?: Readonly<Record<string, string>>;
  readonly readyTimeoutMs?: number;
}

export const readyAt = async (baseUrl: string): Promise<boolean> => {
  try {
    const response = await fetch(`${baseUrl}/health/ready`, { signal: AbortSignal.timeout(3_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
};

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));

/**
 * The embedded default as `npm start` runs it — `node dist/services/embedded/src/main.js`,
 * all five services in one process — as a child of the fault run, on a database given to
 * it, on one port for its whole life (a restart after kill -9 comes back on it).
 */
export const startEmbeddedSystem = async (options: EmbeddedOptions): Promise<SystemUnderTest> => {
  await mkdir(options.workDir, { recursive: true });
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const logPath = join(options.workDir, 'embedded.log');
  const log: WriteStream = createWriteStream(logPath, { flags: 'a' });
  const env = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? options.workDir,
    CASEGRID_ENV: 'development',
    LOG_LEVEL: 'warn',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: options.databaseUrl,
    CASEGRID_DATA_DIR: join(options.workDir, 'data'),
    // A command meeting an event still on its way waits for it, as long as a fault lasts.
    CASE_DIRECTORY_WAIT_MS: '60000',
    ...RAISED_RATE_LIMITS,
    ...options.env,
  };
  let child: ChildProcess | undefined;
  const launch = (): ChildProcess => {
    const started = spawn(
      process.execPath,
      [join(options.root, 'dist/services/embedded/src/main.js')],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    started.stdout?.pipe(log, { end: false });
    started.stderr?.pipe(log, { end: false });
    child = started;
    return started;
  };
  const awaitReady = async (process: ChildProcess): Promise<void> =>
    waitUntil(
      async () => {
        if (process.exitCode !== null || process.signalCode !== null)
          throw new Error(
            `the embedded system exited (${process.exitCode ?? process.signalCode}); see ${logPath}`,
          );
        return readyAt(baseUrl);
      },
      {
        what: `the embedded system ready (see ${logPath})`,
        timeoutMs: options.readyTimeoutMs ?? 120_000,
        intervalMs: 100,
      },
    );
  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (running) {
      running.kill('SIGTERM');
      const kill = setTimeout(() => running.kill('SIGKILL'), 20_000);
      await exited(running);
      clearTimeout(kill);
    }
    log.end();
  };
  try {
    await awaitReady(launch());
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    label: options.label,
    baseUrl,
    databases: {
      intake: options.databaseUrl,
      mediation: options.databaseUrl,
      supervision: options.databaseUrl,
      audit: options.databaseUrl,
    },
    async crash() {
      const running = child;
      if (running) {
        running.kill('SIGKILL');
        await exited(running);
      }
      launch();
      return 'the embedded process';
    },
    ready: () => readyAt(baseUrl),
    stop,
  };
};
