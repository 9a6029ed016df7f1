import { uuidv7 } from '@casegrid/kernel';
import { createTestPool, dropSchemas, freshSchemaName, testInfra } from '@casegrid/testing';
import { runIdempotent } from './idempotency';
import { kernelMigrations, openServiceDatabase, type ServiceDatabase } from './migrations';
import { PgEventStore } from './pg-event-store';
import { inTransaction, literalQuery, queryAndCommit } from './transaction';

/**
 * The last statement of a transaction sent with its commit, and the gapless numbers taken
 * by it: against real PostgreSQL.
 */
describe('a transaction ended by its last statement', () => {
  const schema = freshSchemaName('finish');
  let db: ServiceDatabase;
  let store: PgEventStore;

  beforeAll(async () => {
    db = await openServiceDatabase({
      url: testInfra().databaseUrl,
      schema,
      migrations: kernelMigrations(schema),
    });
    store = new PgEventStore({ pool: db.pool, schema });
    await db.pool.query(`create table "${schema}".t (v text, a text[], j jsonb)`);
  });
  afterAll(async () => {
    await db.close();
    const admin = createTestPool();
    await dropSchemas(admin, [schema]);
    await admin.end();
  });

  const tricky = ["O'Brien \\ 反斜杠 \\'", '双引号 " 和 $1 与 $$ 以及 %s', '', 'line\nbreak\ttab'];

  it('writes literals that read back exactly as the parameters would', async () => {
    const j = { text: tricky[0], nested: [tricky[1], null, 3] };
    for (const v of tricky) {
      await db.pool.query(
        literalQuery(`insert into "${schema}".t (v, a, j) values ($1, $2::text[], $3::jsonb)`, [
          v,
          tricky,
          JSON.stringify(j),
        ]),
      );
    }
    const { rows } = await db.pool.query<{ v: string; a: string[]; j: unknown }>(
      `select v, a, j from "${schema}".t`,
    );
    expect(rows.map((r) => r.v)).toEqual(tricky);
    for (const row of rows) {
      expect(row.a).toEqual(tricky);
      expect(row.j).toEqual(j);
    }
    expect(() => literalQuery(`select 'x', $1`, ['y'])).toThrow('no literal');
  });

  it('commits with the last statement, once, and leaves nothing when that statement fails', async () => {
    const marker = uuidv7();
    const result = await inTransaction(db.pool, async (tx) => {
      await tx.query(`insert into "${schema}".t (v) values ($1)`, [`${marker}-1`]);
      return queryAndCommit<{ v: string }>(
        tx,
        `insert into "${schema}".t (v) values ($1) returning v`,
        [`${marker}-2`],
      );
    });
    expect(result.rows).toEqual([{ v: `${marker}-2` }]);
    const kept = await db.pool.query(`select 1 from "${schema}".t where v like $1`, [`${marker}%`]);
    expect(kept.rowCount).toBe(2);

    const failed = uuidv7();
    await expect(
      inTransaction(db.pool, async (tx) => {
        await tx.query(`insert into "${schema}".t (v) values ($1)`, [failed]);
        await queryAndCommit(tx, `insert into "${schema}".t (v) values ($1::int::text)`, [
          'not a number',
        ]);
      }),
    ).rejects.toMatchObject({ code: '22P02' });
    const none = await db.pool.query(`select 1 from "${schema}".t where v = $1`, [failed]);
    expect(none.rowCount).toBe(0);
  });

  it('inside an idempotent command, is an ordinary statement: the key record still commits with it', async () => {
    const marker = uuidv7();
    const response = await runIdempotent(
      db.pool,
      schema,
      { key: marker, scope: 'u1', fingerprint: 'f' },
      async (tx) => {
        await queryAndCommit(tx, `insert into "${schema}".t (v) values ($1)`, [marker]);
        return { status: 201, body: { ok: true } };
      },
    );
    expect(response).toEqual({ status: 201, body: { ok: true }, replayed: false });
    const { rowCount } = await db.pool.query(
      `select 1 from "${schema}".idempotency_keys where key = $1`,
      [marker],
    );
    expect(rowCount).toBe(1);
  });

  it('numbers 100 concurrent appends of one series without gaps; a rolled-back one gives its number back', async () => {
    const series = `case:370102:${uuidv7().slice(-6)}`;
    const numbering = { series, template: '2026-370102-%s', width: 6, path: ['number'] };
    const append = (streamId: string) =>
      inTransaction(db.pool, (tx) =>
        store.appendNumberedInTransaction(
          tx,
          numbering,
          {
            streamId,
            expectedVersion: 0,
            events: [
              {
                id: uuidv7(),
                type: 'CaseRegistered',
                data: { caseId: streamId, number: '' },
                metadata: {
                  actor: 'u1',
                  correlationId: streamId,
                  occurredAt: '2026-12-02T00:00:00Z',
                },
              },
            ],
          },
          { last: true },
        ),
      );
    // A conflict (the stream exists) rolls the whole statement back, number included.
    const taken = uuidv7();
    await append(taken);
    await expect(append(taken)).rejects.toMatchObject({ code: 'concurrency_conflict' });
    const results = await Promise.all(Array.from({ length: 100 }, () => append(uuidv7())));
    const numbers = results.map((r) => r.number).sort();
    expect(numbers).toEqual(
      Array.from({ length: 100 }, (_, i) => `2026-370102-${String(i + 2).padStart(6, '0')}`),
    );
    // The number is in the stored event, not only in the answer.
    const { rows } = await db.pool.query<{ number: string }>(
      `select data->>'number' as number from "${schema}".events where stream_id = $1`,
      [results[0]!.result.streamId],
    );
    expect(rows[0]!.number).toBe(results[0]!.number);
  });
});

describe('a store restored where the transaction ids are behind it', () => {
  it('refuses to open, saying what happened and what to do', async () => {
    const schema = freshSchemaName('restored');
    const url = testInfra().databaseUrl;
    const first = await openServiceDatabase({ url, schema, migrations: kernelMigrations(schema) });
    const store = new PgEventStore({ pool: first.pool, schema });
    await store.append({
      streamId: 's-1',
      expectedVersion: 0,
      events: [
        {
          id: uuidv7(),
          type: 'CaseRegistered',
          data: {},
          metadata: { actor: 'u1', correlationId: 'c', occurredAt: '2026-12-02T00:00:00Z' },
        },
      ],
    });
    // What a dump restored into a younger cluster looks like: ids from the future.
    await first.pool.query(
      `update "${schema}".events set transaction_id = (pg_snapshot_xmax(pg_current_snapshot())::text::bigint + 1000000000)::text::xid8`,
    );
    await first.close();
    await expect(
      openServiceDatabase({ url, schema, migrations: kernelMigrations(schema) }),
    ).rejects.toThrow(
      /records transaction ids up to \d+, but this PostgreSQL server has only reached \d+.*docs\/operations\.md/,
    );
    const admin = createTestPool();
    await dropSchemas(admin, [schema]);
    await admin.end();
  });
});
