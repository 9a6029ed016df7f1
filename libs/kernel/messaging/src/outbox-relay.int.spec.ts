import { Client } from 'pg';
import type { TransportMessage } from '@casegrid/contracts';
import {
  kernelMigrations,
  openServiceDatabase,
  PgEventStore,
  type ServiceDatabase,
} from '@casegrid/event-store';
import { uuidv7 } from '@casegrid/kernel';
import { createTestDatabase, testInfra, type TestDatabase } from '@casegrid/testing';
import { OutboxRelay } from './outbox-relay';
import type { Transport } from './transport';

/**
 * A relay publishes what its service committed whatever runs in the server's other
 * databases: a transaction left open in one (another suite's, another application's) held
 * every relay of the server back, and with them every consumer — right after a boot,
 * replicas without reference data and cases missing from the ledger for as long as it
 * stayed open, while readiness said ok.
 */
describe('outbox relay', () => {
  const schema = 'intake';
  let database: TestDatabase;
  let db: ServiceDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('relay_horizon');
    db = await openServiceDatabase({
      url: database.url,
      schema,
      migrations: kernelMigrations(schema),
    });
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it('publishes while a transaction is open in another database of the server', async () => {
    const published: TransportMessage[] = [];
    const transport = {
      publish: (messages: readonly TransportMessage[]) => {
        published.push(...messages);
        return Promise.resolve();
      },
      partitions: () => Promise.resolve(1),
    } as unknown as Transport;
    const relay = new OutboxRelay({ pool: db.pool, schema, service: 'intake', transport });
    const store = new PgEventStore({ pool: db.pool, schema });
    const elsewhere = new Client({ connectionString: testInfra().databaseUrl });
    await elsewhere.connect();
    try {
      await elsewhere.query('begin');
      await elsewhere.query('select pg_current_xact_id()');
      const id = uuidv7();
      await store.append({
        streamId: uuidv7(),
        expectedVersion: 0,
        publishTo: 'casegrid.reference',
        events: [
          {
            id,
            type: 'DepartmentCreated',
            data: {},
            metadata: { actor: 'u1', correlationId: id, occurredAt: new Date().toISOString() },
          },
        ],
      });
      expect(await relay.relayOnce()).toBe(1);
      expect(published.map((m) => m.headers['ce_id'])).toEqual([id]);
      expect(await relay.backlog()).toBe(0);
    } finally {
      await elsewhere.query('commit');
      await elsewhere.end();
      await relay.stop();
    }
  });
});
