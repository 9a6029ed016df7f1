import type { Pool } from 'pg';
import { createTestPool, dropSchemas, freshSchemaName, testInfra } from '@casegrid/testing';
import { kernelMigrations, openServiceDatabase, type ServiceDatabase } from './migrations';
import { PgEventStore } from './pg-event-store';
import { START, type ReadCheckpoint } from './event-store.types';
import { newEvent } from './testing/fixtures';

/**
 * A sequence hands out positions before commit, so a transaction can take a lower
 * position and commit after a higher one was read. These specs show that read-all never
 * skips such an event (event-store.ddl.ts, Ordering).
 */
describe('read-all ordering', () => {
  const schema = freshSchemaName('read_all');
  let db: ServiceDatabase;
  let store: PgEventStore;
  let admin: Pool;

  beforeAll(async () => {
    db = await openServiceDatabase({
      url: testInfra().databaseUrl,
      schema,
      migrations: kernelMigrations(schema),
      poolSize: 24,
    });
    store = new PgEventStore({ pool: db.pool, schema });
    admin = createTestPool();
  });
  afterAll(async () => {
    await db.close();
    await dropSchemas(admin, [schema]);
    await admin.end();
  });

  it('does not skip the transaction that took the lower position and committed last', async () => {
    const slow = await db.pool.connect();
    try {
      await slow.query('begin');
      const low = await store.appendInTransaction(slow, {
        streamId: 'slow',
        expectedVersion: 0,
        events: [newEvent()],
      });
      const high = await store.append({
        streamId: 'fast',
        expectedVersion: 0,
        events: [newEvent()],
      });
      expect(low.firstGlobalPosition).toBeLessThan(high.firstGlobalPosition);

      // The committed higher position is there to be read by position alone...
      const byPosition = await admin.query(
        `select 1 from "${schema}".events where global_position = $1`,
        [high.firstGlobalPosition],
      );
      expect(byPosition.rowCount).toBe(1);
      // ...but read-all holds it back while the lower one may still commit.
      const before = await store.readAll(START);
      expect(before.events.map((e) => e.streamId)).not.toContain('fast');

      await slow.query('commit');
      // Any other open transaction in this database (another spec's) also holds the horizon
      // back for a moment: poll rather than read once.
      let after = await store.readAll(before.checkpoint);
      for (let i = 0; i < 400 && after.events.length < 2; i += 1) {
        await new Promise((r) => setTimeout(r, 25));
        after = await store.readAll(before.checkpoint);
      }
      expect(after.events.map((e) => e.streamId)).toEqual(expect.arrayContaining(['slow', 'fast']));
      expect(after.events.findIndex((e) => e.streamId === 'slow')).toBeLessThan(
        after.events.findIndex((e) => e.streamId === 'fast'),
      );
    } finally {
      slow.release();
    }
  });

  it('reads every committed event exactly once across thousands of random interleavings', async () => {
    const seed = Date.now();
    let state = seed;
    const random = (): number => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    // Events of earlier specs in this schema are committed too.
    const committed = new Set<string>(
      (await store.readAll(START, 100_000)).events.map((e) => e.id),
    );
    const transactions = 2000;
    const writers = 16;
    let started = 0;
    let done = false;

    const writer = async (): Promise<void> => {
      while (started < transactions) {
        started += 1;
        const client = await db.pool.connect();
        try {
          await client.query('begin');
          const streamId = `w-${Math.floor(random() * 400)}`;
          const { version } = await store.readStream(streamId, {}, client);
          const events = Array.from({ length: 1 + Math.floor(random() * 3) }, () => newEvent());
          await store.appendInTransaction(client, { streamId, expectedVersion: version, events });
          if (random() < 0.5) await new Promise((r) => setTimeout(r, random() * 4));
          if (random() < 0.1) {
            await client.query('rollback');
          } else {
            await client.query('commit');
            for (const e of events) committed.add(e.id);
          }
        } catch (error) {
          await client.query('rollback');
          if ((error as { code?: string }).code !== 'concurrency_conflict') throw error;
        } finally {
          client.release();
        }
      }
    };

    const seen: string[] = [];
    const lastPosition = new Map<string, number>();
    const reader = async (): Promise<void> => {
      let checkpoint: ReadCheckpoint = START;
      for (;;) {
        const finished = done;
        const page = await store.readAll(checkpoint, 500);
        for (const e of page.events) {
          seen.push(e.id);
          // Each stream must come out in its own order.
          expect(e.streamPosition).toBe((lastPosition.get(e.streamId) ?? 0) + 1);
          lastPosition.set(e.streamId, e.streamPosition);
        }
        checkpoint = page.checkpoint;
        // Done when every committed event was seen; an open transaction elsewhere on the
        // server may hold the horizon back for a while after the writers finished.
        if (finished && seen.length >= committed.size) return;
        if (finished && Date.now() > giveUpAt) return;
        if (page.events.length === 0) await new Promise((r) => setTimeout(r, 1));
      }
    };

    let giveUpAt = Infinity;
    const reading = reader();
    await Promise.all(Array.from({ length: writers }, writer));
    giveUpAt = Date.now() + 30_000;
    done = true;
    await reading;

    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(committed.size);
    expect(new Set(seen)).toEqual(committed);
    expect(committed.size).toBeGreaterThan(2000);
    expect(lastPosition.size).toBeGreaterThan(300);
  });
});
