import { Client } from 'pg';

const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** `serverUrl` with another database in its path. */
export const databaseUrl = (serverUrl: string, name: string): string => {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
};

/**
 * Drops (closing its connections) and creates a database the bench owns: one for the
 * embedded system, one per service for the topology. Only names with `bench` in them,
 * so that a typo cannot drop a real database.
 */
export const recreateDatabase = async (serverUrl: string, name: string): Promise<string> => {
  if (!name.includes('bench')) throw new Error(`refusing to recreate "${name}": not a bench name`);
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${quoteIdent(name)} with (force)`);
    await admin.query(`create database ${quoteIdent(name)}`);
  } finally {
    await admin.end();
  }
  return databaseUrl(serverUrl, name);
};
