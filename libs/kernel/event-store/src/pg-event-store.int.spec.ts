import type { Pool } from 'pg';
import { ConcurrencyError } from '@casegrid/kernel';
import { createTestPool, dropSchemas, freshSchemaName, testInfra } from '@casegrid/testing';
import { kernelMigrations, openServiceDatabase, type ServiceDatabase } from './migrations';
import { PgEventStore } from './pg-event-store';
import { newEvent } from './testing/fixtures';

describe('PgEventStore', () => {
  const schema = freshSchemaName('event_store');
  let db: ServiceDatabase;
  let store: PgEventStore;
  let admin: Pool;

  beforeAll(async () => {
    db = await openServiceDatabase({
      url: testInfra().databaseUrl,
      schema,
      migrations: kernelMigrations(schema),
      poolSize: 60,
    });
    store = new PgEventStore({ pool: db.pool, schema });
    admin = createTestPool();
  });
  afterAll(async () => {
    await db.close();
    await dropSchemas(admin, [schema]);
    await admin.end();
  });

  const count = async (table: 'events' | 'outbox', streamId: string): Promise<number> => {
    const column = table === 'events' ? 'stream_id' : 'message_key';
    const { rows } = await admin.query<{ n: string }>(
      `select count(*) as n from "${schema}".${table} where ${column} = $1`,
      [streamId],
    );
    return Number(rows[0]!.n);
  };

  describe('append and read a stream', () => {
    it('numbers a stream from 1 and reads it back in order', async () => {
      const events = [newEvent('CaseRegistered'), newEvent('CaseDispatched')];
      const result = await store.append({ streamId: 'case-a', expectedVersion: 0, events });
      expect(result).toMatchObject({ nextVersion: 2, duplicate: false });
      const read = await store.readStream('case-a');
      expect(read.version).toBe(2);
      expect(read.events.map((e) => [e.id, e.streamPosition, e.type])).toEqual([
        [events[0]!.id, 1, 'CaseRegistered'],
        [events[1]!.id, 2, 'CaseDispatched'],
      ]);
      expect(read.events[0]!.metadata.actor).toBe('user-1');
    });

    it('reports a moved stream as a concurrency conflict with the actual version', async () => {
      await store.append({ streamId: 'case-b', expectedVersion: 0, events: [newEvent()] });
      const stale = store.append({ streamId: 'case-b', expectedVersion: 0, events: [newEvent()] });
      await expect(stale).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(
        store.append({ streamId: 'case-b', expectedVersion: 5, events: [newEvent()] }),
      ).rejects.toMatchObject({ code: 'concurrency_conflict', actualVersion: 1 });
      expect(await count('events', 'case-b')).toBe(1);
    });

    it('appends with "any" after whatever is there', async () => {
      await store.append({ streamId: 'case-c', expectedVersion: 'any', events: [newEvent()] });
      const second = await store.append({
        streamId: 'case-c',
        expectedVersion: 'any',
        events: [newEvent()],
      });
      expect(second.nextVersion).toBe(2);
    });

    it('rejects malformed requests, naming every bad field, before touching the database', async () => {
      await expect(
        store.append({ streamId: '', expectedVersion: -1, events: [] }),
      ).rejects.toMatchObject({
        code: 'validation_failed',
        errors: [
          { field: 'streamId', message: 'must not be empty' },
          { field: 'events', message: 'must not be empty' },
          { field: 'expectedVersion', message: 'must be a whole number >= 0 or "any"' },
        ],
      });
    });
  });

  describe('idempotent append', () => {
    it('returns the first result for the same event ids and writes nothing more', async () => {
      const events = [newEvent(), newEvent()];
      const first = await store.append({
        streamId: 'case-i',
        expectedVersion: 0,
        events,
        publishTo: 't',
      });
      const again = await store.append({
        streamId: 'case-i',
        expectedVersion: 0,
        events,
        publishTo: 't',
      });
      expect(again).toEqual({ ...first, duplicate: true });
      expect(await count('events', 'case-i')).toBe(2);
      expect(await count('outbox', 'case-i')).toBe(2);
    });

    it('refuses a request that reuses only some ids', async () => {
      const events = [newEvent()];
      await store.append({ streamId: 'case-j', expectedVersion: 0, events });
      await expect(
        store.append({ streamId: 'case-j', expectedVersion: 1, events: [events[0]!, newEvent()] }),
      ).rejects.toMatchObject({ code: 'validation_failed' });
      expect(await count('events', 'case-j')).toBe(1);
    });

    it('absorbs the same append racing itself', async () => {
      const events = [newEvent()];
      const stores = Array.from({ length: 8 }, () => new PgEventStore({ pool: db.pool, schema }));
      const results = await Promise.allSettled(
        stores.map((s) => s.append({ streamId: 'case-k', expectedVersion: 0, events })),
      );
      // Whoever lost the race on the stream saw either the conflict or the duplicate, and
      // exactly one copy is stored.
      expect(results.some((r) => r.status === 'fulfilled' && !r.value.duplicate)).toBe(true);
      expect(await count('events', 'case-k')).toBe(1);
    });
  });

  describe('optimistic concurrency under real concurrency', () => {
    it('lets exactly one of 50 writers on separate connections win the same expected version', async () => {
      await store.append({ streamId: 'case-race', expectedVersion: 0, events: [newEvent()] });
      // One store per writer: each append is its own transaction on its own connection.
      const writers = Array.from({ length: 50 }, () => new PgEventStore({ pool: db.pool, schema }));
      const results = await Promise.allSettled(
        writers.map((w) =>
          w.append({
            streamId: 'case-race',
            expectedVersion: 1,
            events: [newEvent('CaseAccepted')],
          }),
        ),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter(
        (r) => r.status === 'rejected' && r.reason instanceof ConcurrencyError,
      );
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(49);
      expect((await store.readStream('case-race')).version).toBe(2);
    });

    it('lets exactly one of 50 group-committed appends win', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, () =>
          store.append({ streamId: 'case-race-2', expectedVersion: 0, events: [newEvent()] }),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(
        results.filter((r) => r.status === 'rejected' && r.reason instanceof ConcurrencyError),
      ).toHaveLength(49);
    });
  });

  describe('outbox', () => {
    it('writes one outbox row per published event, in the same statement', async () => {
      await store.append({
        streamId: 'case-o',
        expectedVersion: 0,
        events: [newEvent(), newEvent()],
        publishTo: 'casegrid.case-events',
      });
      await store.append({ streamId: 'case-o-private', expectedVersion: 0, events: [newEvent()] });
      expect(await count('outbox', 'case-o')).toBe(2);
      expect(await count('outbox', 'case-o-private')).toBe(0);
    });

    it('keeps events and outbox rows together when the transaction rolls back or conflicts', async () => {
      const client = await db.pool.connect();
      try {
        await client.query('begin');
        await store.appendInTransaction(client, {
          streamId: 'case-rollback',
          expectedVersion: 0,
          events: [newEvent()],
          publishTo: 't',
        });
        expect(
          Number(
            (
              await client.query(
                `select count(*) as n from "${schema}".outbox where message_key = 'case-rollback'`,
              )
            ).rows[0].n,
          ),
        ).toBe(1);
        await client.query('rollback');
      } finally {
        client.release();
      }
      expect(await count('events', 'case-rollback')).toBe(0);
      expect(await count('outbox', 'case-rollback')).toBe(0);

      await store.append({
        streamId: 'case-o2',
        expectedVersion: 0,
        events: [newEvent()],
        publishTo: 't',
      });
      await expect(
        store.append({
          streamId: 'case-o2',
          expectedVersion: 0,
          events: [newEvent()],
          publishTo: 't',
        }),
      ).rejects.toBeInstanceOf(ConcurrencyError);
      expect(await count('outbox', 'case-o2')).toBe(1);
    });
  });
});
