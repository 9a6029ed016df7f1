import { randomBytes } from 'node:crypto';
import { Pool, type PoolConfig } from 'pg';
import { assertTestDatabase, testInfra } from './infra-env';

export interface TestPoolOptions extends Omit<PoolConfig, 'connectionString'> {
  /** Puts this schema first on the search_path of every connection. */
  schema?: string;
}

/** A pg Pool on the run's test database (guarded by `assertTestDatabase`). */
export const createTestPool = (opts: TestPoolOptions = {}): Pool => {
  const { schema, ...config } = opts;
  const connectionString = testInfra().databaseUrl;
  assertTestDatabase(connectionString);
  if (schema !== undefined) assertSchemaName(schema);
  return new Pool({
    max: 4,
    ...config,
    connectionString,
    ...(schema !== undefined ? { options: `-c search_path=${schema},public` } : {}),
  });
};

const SCHEMA_NAME = /^t_[a-z0-9_]+$/;
/** PostgreSQL truncates identifiers beyond this many bytes. */
const MAX_IDENTIFIER = 63;

/**
 * A schema name no other spec (or earlier run) uses: specs isolate by fresh names
 * instead of truncating shared tables, so they can run in parallel.
 */
export const freshSchemaName = (prefix: string): string => {
  const suffix = randomBytes(6).toString('hex');
  const clean = prefix
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, MAX_IDENTIFIER - suffix.length - 3);
  return clean ? `t_${clean}_${suffix}` : `t_${suffix}`;
};

const assertSchemaName = (name: string): void => {
  // Only names made by freshSchemaName: a typo must not drop `public`.
  if (!SCHEMA_NAME.test(name) || name.length > MAX_IDENTIFIER) {
    throw new Error(`"${name}" is not a test schema name (see freshSchemaName)`);
  }
};

export const dropSchemas = async (pool: Pool, names: readonly string[]): Promise<void> => {
  for (const name of names) assertSchemaName(name);
  for (const name of names) await pool.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
};

export interface TestDatabase {
  /** A URL on the run's server for a database created for this suite alone. */
  readonly url: string;
  drop(): Promise<void>;
}

/**
 * A whole database for one suite, for code that owns fixed schema names (a booted
 * service migrates `intake`, `audit`, …): suites then run in parallel without sharing
 * seeds, counters or keys. Dropped (with FORCE) by `drop`.
 */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const base = testInfra().databaseUrl;
  assertTestDatabase(base);
  const name = freshSchemaName(`test_${prefix}`);
  const admin = new Pool({ connectionString: base, max: 1 });
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const pool = new Pool({ connectionString: base, max: 1 });
      try {
        await pool.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await pool.end();
      }
    },
  };
}

/** One master key for every suite of a run (32 bytes, base64): test data only. */
export const TEST_MASTER_KEY = Buffer.alloc(32, 0x5a).toString('base64');
