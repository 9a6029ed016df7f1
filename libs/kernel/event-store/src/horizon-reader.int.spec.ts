import { Client } from 'pg';
import { createTestDatabase, testInfra, type TestDatabase } from '@casegrid/testing';
import { kernelMigrations, openServiceDatabase, type ServiceDatabase } from './migrations';
import { PgEventStore } from './pg-event-store';
import { START } from './event-store.types';
import { newEvent } from './testing/fixtures';

/** A session with a transaction id, left open until `close`. */
const openTransaction = async (url: string): Promise<{ close(): Promise<void> }> => {
  const client = new Client({ connectionString: url });
  await client.connect();
  await client.query('begin');
  await client.query('select pg_current_xact_id()');
  return {
    close: async () => {
      await client.query('commit');
      await client.end();
    },
  };
};

/**
 * The horizon is the database's, not the server's: a transaction left open in another
 * database of the server (another suite's, another application's) cannot write here, and
 * once held every reader of this one — the relays, so every consumer — for as long as it
 * stayed open. One in this database still holds them back.
 */
describe('the read horizon', () => {
  const schema = 'horizon';
  let database: TestDatabase;
  let db: ServiceDatabase;
  let store: PgEventStore;

  beforeAll(async () => {
    // A database of its own: no other spec's transaction runs in it.
    database = await createTestDatabase('horizon');
    db = await openServiceDatabase({
      url: database.url,
      schema,
      migrations: kernelMigrations(schema),
    });
    store = new PgEventStore({ pool: db.pool, schema });
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it('is not held back by a transaction open in another database of the server', async () => {
    const elsewhere = await openTransaction(testInfra().databaseUrl);
    try {
      await store.append({ streamId: 'elsewhere', expectedVersion: 0, events: [newEvent()] });
      const read = await store.readAll(START);
      expect(read.events.map((e) => e.streamId)).toEqual(['elsewhere']);
    } finally {
      await elsewhere.close();
    }
  });

  it('is held back by a transaction open in this database, until it ends', async () => {
    const from = (await store.readAll(START)).checkpoint;
    const here = await openTransaction(database.url);
    try {
      await store.append({ streamId: 'here', expectedVersion: 0, events: [newEvent()] });
      expect((await store.readAll(from)).events).toEqual([]);
    } finally {
      await here.close();
    }
    expect((await store.readAll(from)).events.map((e) => e.streamId)).toEqual(['here']);
  });
});
