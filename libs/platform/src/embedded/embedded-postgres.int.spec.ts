import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';

const query = async (url: string, sql: string): Promise<unknown[]> => {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Record<string, unknown>>(sql)).rows;
  } finally {
    await client.end();
  }
};

// initdb alone takes seconds on a loaded CI machine; Jest ignores a project's testTimeout.
jest.setTimeout(60_000);

describe('startEmbeddedPostgres', () => {
  let dataDir: string;
  let server: EmbeddedPostgres | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'casegrid-embedded-pg-'));
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('initialises a cluster and serves the casegrid database on loopback', async () => {
    server = await startEmbeddedPostgres({ dataDir });
    expect(server.url).toMatch(/^postgres:\/\/postgres:[0-9a-f]+@127\.0\.0\.1:\d+\/casegrid$/);
    expect(await query(server.url, 'select 1 as one')).toEqual([{ one: 1 }]);
    await query(
      server.url,
      'create table kept (note text); insert into kept values ($$first run$$)',
    );
  });

  it('keeps the data across a restart of the same directory', async () => {
    server = await startEmbeddedPostgres({ dataDir });
    expect(await query(server.url, 'select note from kept')).toEqual([{ note: 'first run' }]);
    expect(await query(server.url, 'select current_database() as db')).toEqual([
      { db: 'casegrid' },
    ]);
  });

  it('refuses a second server on a directory already served', async () => {
    server = await startEmbeddedPostgres({ dataDir });
    await expect(startEmbeddedPostgres({ dataDir })).rejects.toThrow(/already runs/);
  });

  it('stops idempotently', async () => {
    server = await startEmbeddedPostgres({ dataDir });
    await Promise.all([server.stop(), server.stop()]);
    await expect(query(server.url, 'select 1')).rejects.toThrow(/ECONNREFUSED/);
  });
});
