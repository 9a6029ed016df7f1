import { Client } from 'pg';
import { SCHEMAS } from './bench-config';

export interface ServerInfo {
  readonly version: string;
  readonly settings: Readonly<Record<string, string>>;
}

/** Settings that decide what a commit costs, reported next to the figures. */
const REPORTED_SETTINGS = [
  'synchronous_commit',
  'fsync',
  'wal_sync_method',
  'commit_delay',
  'shared_buffers',
  'max_connections',
] as const;

const withClient = async <T>(url: string, use: (client: Client) => Promise<T>): Promise<T> => {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
};

const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** Creates the bench database through the server's `postgres` database when it is missing. */
export const ensureDatabase = async (url: string, name: string): Promise<void> => {
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  await withClient(maintenance.toString(), async (client) => {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (rowCount === 0) await client.query(`create database ${quoteIdent(name)}`);
  });
};

/**
 * One bench at a time per database: a second run would drop the first one's schemas in
 * the middle of its measurements. The lock lives as long as the returned session.
 */
export const holdBenchLock = async (url: string): Promise<() => Promise<void>> => {
  const client = new Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ locked: boolean }>(
    `select pg_try_advisory_lock(hashtext('casegrid:bench')) as locked`,
  );
  if (rows[0]?.locked !== true) {
    await client.end();
    throw new Error('another bench run is using this database; wait for it to finish');
  }
  return () => client.end();
};

export const dropSchemas = (url: string, schemas: readonly string[]): Promise<void> =>
  withClient(url, async (client) => {
    for (const schema of schemas) {
      await client.query(`drop schema if exists ${quoteIdent(schema)} cascade`);
    }
  });

export const dropAllBenchSchemas = (url: string): Promise<void> =>
  dropSchemas(url, Object.values(SCHEMAS));

/**
 * Flushes dirty pages left by the previous workload so that its checkpoint does not land
 * inside the next one's window. Needs superuser; skipped (with a note) otherwise.
 */
export const checkpoint = (url: string): Promise<void> =>
  withClient(url, async (client) => {
    try {
      await client.query('checkpoint');
    } catch (error) {
      console.warn(`checkpoint skipped: ${(error as Error).message}`);
    }
  });

/**
 * Before the replay: vacuums every bench table so that autovacuum, woken by the rows the
 * append workloads left behind, does not start in the middle of the replay and take a
 * core from it. Then a checkpoint, as before the other workloads.
 */
export const quiesce = async (url: string): Promise<void> => {
  await withClient(url, (client) => client.query('vacuum (analyze)'));
  await checkpoint(url);
};

export const readServerInfo = (url: string): Promise<ServerInfo> =>
  withClient(url, async (client) => {
    const version = (await client.query<{ v: string }>('select version() as v')).rows[0]!.v;
    const settings: Record<string, string> = {};
    for (const name of REPORTED_SETTINGS) {
      const { rows } = await client.query<{ setting: string }>(
        `select current_setting($1) as setting`,
        [name],
      );
      settings[name] = rows[0]!.setting;
    }
    return { version, settings };
  });
