import { randomBytes } from 'node:crypto';
import { access, chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { Client } from 'pg';
import {
  loadEmbeddedPostgres,
  postmasterPid,
  stopStrayServer,
  stopper,
  type EmbeddedPostgresClass,
} from './postgres-process';

export interface EmbeddedPostgresOptions {
  /** The cluster lives in `<dataDir>/pg` and survives restarts. */
  readonly dataDir: string;
  /** Defaults to a free port; nothing depends on it staying the same across restarts. */
  readonly port?: number;
  readonly database?: string;
  /** The server's own log lines; by default only the last few are kept, for error messages. */
  readonly onLog?: (line: string) => void;
}

export interface EmbeddedPostgres {
  /** `postgres://postgres:<password>@127.0.0.1:<port>/<database>` */
  readonly url: string;
  readonly port: number;
  /** Fast shutdown (SIGINT); call it after the application closed its pools. Idempotent. */
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';
const LOOPBACK = '127.0.0.1';
const PORT_ATTEMPTS = 3;

// Sized for one process running five services, each with a small pool. No Unix socket:
// its default directory may not be writable, and every client connects over TCP anyway.
const SERVER_FLAGS = Object.entries({
  listen_addresses: LOOPBACK,
  unix_socket_directories: '',
  max_connections: '100',
  shared_buffers: '128MB',
}).flatMap(([name, value]) => ['-c', `${name}=${value}`]);

// The builtin C.UTF-8 locale behaves the same on every machine, whatever locales it has.
const INITDB_FLAGS = ['--encoding=UTF8', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'];

/** Data directories served by this process: a second start on one would corrupt it. */
const running = new Set<string>();

/**
 * Starts the embedded PostgreSQL (see docs/decisions/0002): initialises `<dataDir>/pg` the
 * first time only, starts it on 127.0.0.1 and creates the database if missing. A real
 * PostgreSQL server, so the services use the same SQL and `pg` pools as in production.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgres> {
  const dataDir = resolve(options.dataDir);
  const pgdata = join(dataDir, 'pg');
  if (running.has(pgdata)) throw new Error(`embedded PostgreSQL already runs on ${pgdata}`);
  running.add(pgdata);
  try {
    return await start(dataDir, pgdata, options);
  } catch (error: unknown) {
    running.delete(pgdata);
    throw error;
  }
}

async function start(
  dataDir: string,
  pgdata: string,
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgres> {
  await prepareDataDir(dataDir);
  const initialised = await exists(join(pgdata, 'PG_VERSION'));
  const password = await superuserPassword(dataDir, initialised);
  await stopStrayServer(pgdata);
  const { server, port } = await launch(pgdata, password, initialised, options);
  const urlOf = (database: string): string =>
    `postgres://${SUPERUSER}:${password}@${LOOPBACK}:${port}/${database}`;
  const stopServer = stopper(server, await postmasterPid(pgdata));
  const stop = (): Promise<void> => stopServer().finally(() => running.delete(pgdata));
  const database = options.database ?? 'casegrid';
  await ensureDatabase(urlOf('postgres'), database).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return { url: urlOf(database), port, stop };
}

async function launch(
  pgdata: string,
  password: string,
  initialised: boolean,
  options: EmbeddedPostgresOptions,
): Promise<{ server: InstanceType<EmbeddedPostgresClass>; port: number }> {
  const EmbeddedPostgresServer = await loadEmbeddedPostgres();
  const logs = new LogTail(options.onLog);
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    const server = new EmbeddedPostgresServer({
      databaseDir: pgdata,
      port,
      user: SUPERUSER,
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      // PostgreSQL refuses to run as root: as root, the package runs initdb and postgres as
      // the `postgres` user, creating it (useradd) if the machine has none.
      createPostgresUser: isRoot(),
      initdbFlags: INITDB_FLAGS,
      postgresFlags: SERVER_FLAGS,
      onLog: logs.add,
      onError: logs.add,
    });
    if (attempt === 1 && !initialised) {
      await server.initialise().catch(logs.fail('initdb failed'));
    }
    try {
      await server.start();
      return { server, port };
    } catch (error: unknown) {
      // Another process may take the free port between our probe and postgres binding it.
      const portTaken = options.port === undefined && logs.mentions('in use');
      if (!portTaken || attempt >= PORT_ATTEMPTS) {
        logs.fail(`PostgreSQL did not start on port ${port}`)(error);
      }
    }
  }
}

async function prepareDataDir(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  if (!isRoot()) return;
  // The server runs as `postgres` and must be able to traverse into <dataDir>/pg and to
  // the binaries in node_modules (a checkout in a 0700 directory, such as mktemp -d, is
  // otherwise unreachable: initdb EACCES). Search permission only: nothing becomes listable.
  await allowTraversal(dataDir);
  await allowTraversal(dirname(require.resolve('pg')));
}

async function allowTraversal(path: string): Promise<void> {
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    const { mode } = await stat(dir);
    if ((mode & 0o001) === 0) await chmod(dir, mode | 0o001);
    if (dirname(dir) === dir) return;
  }
}

/**
 * A random superuser password, kept beside the cluster (mode 0600): the server listens on
 * loopback only, but a well-known password would still open every case to any local user.
 */
async function superuserPassword(dataDir: string, initialised: boolean): Promise<string> {
  const file = join(dataDir, 'pg-superuser.password');
  if (initialised) {
    try {
      return (await readFile(file, 'utf8')).trim();
    } catch (error: unknown) {
      throw new Error(`${file} is missing; the cluster cannot be opened without it`, {
        cause: error,
      });
    }
  }
  const password = randomBytes(24).toString('hex');
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const found = await admin.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0)
      await admin.query(`create database ${admin.escapeIdentifier(database)}`);
  } finally {
    await admin.end();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, LOOPBACK, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolvePort(port));
    });
  });
}

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

const isRoot = (): boolean => process.getuid?.() === 0;

/** Keeps the server's last lines, to say why it failed rather than just that it did. */
class LogTail {
  private readonly lines: string[] = [];

  constructor(private readonly forward?: (line: string) => void) {}

  readonly add = (message: unknown): void => {
    const text = message instanceof Error ? message.message : String(message);
    for (const line of text.split('\n').filter((l) => l.trim() !== '')) {
      this.lines.push(line);
      this.forward?.(line);
    }
    this.lines.splice(0, Math.max(0, this.lines.length - 30));
  };

  mentions(fragment: string): boolean {
    return this.lines.some((line) => line.includes(fragment));
  }

  fail(what: string): (cause: unknown) => never {
    return (cause) => {
      throw new Error(`embedded PostgreSQL: ${what}\n${this.lines.join('\n')}`, { cause });
    };
  }
}
