import { createServer } from 'node:net';
import { Client } from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '@casegrid/platform';

/**
 * A PostgreSQL server of the fault run's own, from the embedded default's binaries: the
 * machine's shared server must never be restarted. It keeps its port across restarts, so
 * the system under test reconnects to the same URL.
 */
export interface PrivatePostgres {
  readonly port: number;
  /** A URL of a database on it (created by `createDatabase`). */
  url(database: string): string;
  createDatabase(database: string): Promise<string>;
  /** Fast shutdown (SIGINT: every session ended). */
  stop(): Promise<void>;
  /** Starts it again on its port and data; resolves once it accepts connections. */
  start(): Promise<void>;
}

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

export const startPrivatePostgres = async (dataDir: string): Promise<PrivatePostgres> => {
  const port = await freePort();
  let server: EmbeddedPostgres | undefined = await startEmbeddedPostgres({
    dataDir,
    port,
    database: 'postgres',
  });
  const base = new URL(server.url);
  const url = (database: string): string => {
    const u = new URL(base);
    u.pathname = `/${database}`;
    return u.toString();
  };
  return {
    port,
    url,
    async createDatabase(database) {
      const admin = new Client({ connectionString: url('postgres') });
      await admin.connect();
      try {
        await admin.query(`create database ${admin.escapeIdentifier(database)}`);
      } finally {
        await admin.end();
      }
      return url(database);
    },
    async stop() {
      await server?.stop();
      server = undefined;
    },
    async start() {
      server ??= await startEmbeddedPostgres({ dataDir, port, database: 'postgres' });
    },
  };
};
