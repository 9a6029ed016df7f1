import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { createTestPool, dropSchemas, freshSchemaName, testInfra } from '@casegrid/testing';
import {
  IDEMPOTENCY_RETENTION_MS,
  IdempotencyConflictError,
  expireIdempotencyKeys,
  requestFingerprint,
  runIdempotent,
} from './idempotency';
import { kernelMigrations, openServiceDatabase, type ServiceDatabase } from './migrations';

describe('runIdempotent', () => {
  const schema = freshSchemaName('idempotency');
  let db: ServiceDatabase;
  let admin: Pool;

  beforeAll(async () => {
    db = await openServiceDatabase({
      url: testInfra().databaseUrl,
      schema,
      migrations: kernelMigrations(schema),
      poolSize: 30,
    });
    admin = createTestPool();
    // The command's side effect, written in the same transaction as its record.
    await admin.query(
      `create table "${schema}".effects (id text primary key, scope text not null, note text not null)`,
    );
  });
  afterAll(async () => {
    await db.close();
    await dropSchemas(admin, [schema]);
    await admin.end();
  });

  type Body = { readonly id: string; readonly note: string };
  type Work = ((client: PoolClient) => Promise<{ status: number; body: Body }>) & { runs: number };

  /**
   * A command: writes one effect row and answers 201 with it, counting its runs. `gate`
   * holds it before the write; `id` fixes the row's key (a second write then conflicts).
   */
  const command = (
    scope: string,
    note: string,
    options: { readonly id?: string; readonly gate?: () => Promise<void> } = {},
  ): Work => {
    const work: Work = Object.assign(
      async (client: PoolClient) => {
        work.runs += 1;
        await options.gate?.();
        const id = options.id ?? randomUUID();
        await client.query(
          `insert into "${schema}".effects (id, scope, note) values ($1, $2, $3)`,
          [id, scope, note],
        );
        return { status: 201, body: { id, note } };
      },
      { runs: 0 },
    );
    return work;
  };

  const run = (
    scope: string,
    key: string | undefined,
    body: unknown,
    work: (client: PoolClient) => Promise<{ status: number; body: unknown }> = command(scope, 'x'),
  ) =>
    runIdempotent(
      db.pool,
      schema,
      {
        scope,
        key,
        fingerprint: requestFingerprint({ method: 'POST', path: '/api/v1/cases', body }),
      },
      work,
    );

  const effects = async (scope: string): Promise<number> => {
    const { rows } = await admin.query<{ n: string }>(
      `select count(*) as n from "${schema}".effects where scope = $1`,
      [scope],
    );
    return Number(rows[0]!.n);
  };
  const records = async (scope: string) =>
    (
      await admin.query<{ key: string; status: number; response: unknown }>(
        `select key, status, response from "${schema}".idempotency_keys where scope = $1`,
        [scope],
      )
    ).rows;

  /** Resolves once `n` callers wait on it: holds racing transactions open together. */
  const barrier = (n: number) => {
    let waiting = 0;
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    return () => {
      waiting += 1;
      if (waiting === n) open();
      return opened;
    };
  };

  it('runs the work once and records its response', async () => {
    const scope = randomUUID();
    const work = command(scope, 'first');
    const result = await run(scope, 'key-1', { note: 'first' }, work);
    expect(result).toEqual({
      status: 201,
      body: { id: expect.any(String), note: 'first' },
      replayed: false,
    });
    expect(work.runs).toBe(1);
    expect(await effects(scope)).toBe(1);
    expect(await records(scope)).toEqual([{ key: 'key-1', status: 201, response: result.body }]);
  });

  it('answers a retry with the first response and changes nothing', async () => {
    const scope = randomUUID();
    const first = await run(scope, 'key-1', { note: 'n', tags: ['a'] });
    const retry = command(scope, 'again');
    const again = await run(scope, 'key-1', { tags: ['a'], note: 'n' }, retry);
    expect(again).toEqual({ status: first.status, body: first.body, replayed: true });
    expect(retry.runs).toBe(0);
    expect(await effects(scope)).toBe(1);
    expect(await records(scope)).toHaveLength(1);
  });

  it('refuses the same key for another request and writes nothing', async () => {
    const scope = randomUUID();
    await run(scope, 'key-1', { note: 'n', tags: ['a', 'b'] });
    for (const other of [
      { note: 'm', tags: ['a', 'b'] },
      { note: 'n', tags: ['b', 'a'] },
    ]) {
      const work = command(scope, 'other');
      const refused = run(scope, 'key-1', other, work);
      await expect(refused).rejects.toBeInstanceOf(IdempotencyConflictError);
      await expect(refused).rejects.toMatchObject({ code: 'idempotency_key_reused' });
      expect(work.runs).toBe(0);
    }
    expect(await effects(scope)).toBe(1);
  });

  it("keeps one caller's keys apart from another's", async () => {
    const [alice, bob] = [randomUUID(), randomUUID()];
    const a = await run(alice, 'shared', { note: 'a' });
    const b = await run(bob, 'shared', { note: 'b' });
    expect([a.replayed, b.replayed]).toEqual([false, false]);
    expect(b.body).not.toEqual(a.body);
    expect([await effects(alice), await effects(bob)]).toEqual([1, 1]);
  });

  it('runs every time without a key', async () => {
    const scope = randomUUID();
    const work = command(scope, 'free');
    await run(scope, undefined, { note: 'free' }, work);
    const second = await run(scope, undefined, { note: 'free' }, work);
    expect(second.replayed).toBe(false);
    expect(work.runs).toBe(2);
    expect(await effects(scope)).toBe(2);
    expect(await records(scope)).toEqual([]);
  });

  it('records nothing when the work fails, so a retry runs again', async () => {
    const scope = randomUUID();
    const failing = async (client: PoolClient): Promise<{ status: number; body: Body }> => {
      await command(scope, 'lost')(client);
      throw new Error('dependency down');
    };
    await expect(run(scope, 'key-1', { note: 'n' }, failing)).rejects.toThrow('dependency down');
    expect(await effects(scope)).toBe(0);
    expect(await records(scope)).toEqual([]);

    const retry = command(scope, 'n');
    await expect(run(scope, 'key-1', { note: 'n' }, retry)).resolves.toMatchObject({
      replayed: false,
    });
    expect(retry.runs).toBe(1);
    expect(await effects(scope)).toBe(1);
  });

  it('rolls back and does not record a non-2xx answer', async () => {
    const scope = randomUUID();
    const refusing = async (client: PoolClient) => {
      await command(scope, 'half')(client);
      return { status: 409, body: { title: 'not allowed now' } };
    };
    await expect(run(scope, 'key-1', {}, refusing)).resolves.toEqual({
      status: 409,
      body: { title: 'not allowed now' },
      replayed: false,
    });
    expect(await effects(scope)).toBe(0);
    expect(await records(scope)).toEqual([]);
  });

  describe('under concurrency', () => {
    it('makes one effect of 20 identical requests racing on their own connections', async () => {
      const scope = randomUUID();
      // All 20 pass the lookup and run their work before any of them inserts its record.
      const work = command(scope, 'race', { gate: barrier(20) });
      const results = await Promise.all(
        Array.from({ length: 20 }, () => run(scope, 'race', { note: 'race' }, work)),
      );
      expect(work.runs).toBe(20);
      expect(await effects(scope)).toBe(1);
      expect(new Set(results.map((r) => JSON.stringify([r.status, r.body]))).size).toBe(1);
      expect(results.filter((r) => !r.replayed)).toHaveLength(1);
      expect(await records(scope)).toHaveLength(1);
    });

    it("answers the twin whose work failed on the winner's rows with the winner's response", async () => {
      const scope = randomUUID();
      // The loser's insert waits on the winner's row and then fails as a duplicate.
      const work = command(scope, 'twin', { id: `${scope}:twin`, gate: barrier(2) });
      const [a, b] = await Promise.all([
        run(scope, 'twin', { note: 'twin' }, work),
        run(scope, 'twin', { note: 'twin' }, work),
      ]);
      expect(b.body).toEqual(a.body);
      expect([a.replayed, b.replayed].sort()).toEqual([false, true]);
      expect(await effects(scope)).toBe(1);
    });

    it('lets the first of two different requests with one key win and refuses the other', async () => {
      const scope = randomUUID();
      const gate = barrier(2);
      const settled = await Promise.allSettled([
        run(scope, 'k', { note: 'one' }, command(scope, 'one', { gate })),
        run(scope, 'k', { note: 'two' }, command(scope, 'two', { gate })),
      ]);
      expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
      expect(settled.filter((s) => s.status === 'rejected')).toEqual([
        { status: 'rejected', reason: expect.any(IdempotencyConflictError) },
      ]);
      expect(await effects(scope)).toBe(1);
    });
  });

  describe('expireIdempotencyKeys', () => {
    it('deletes records older than the cut-off and keeps the rest', async () => {
      const scope = randomUUID();
      await admin.query(
        `insert into "${schema}".idempotency_keys (scope, key, fingerprint, status, response, created_at)
         values ($1, 'old-1', 'f', 201, '{}', now() - interval '25 hours'),
                ($1, 'old-2', 'f', 201, '{}', now() - interval '48 hours'),
                ($1, 'recent', 'f', 201, '{}', now() - interval '23 hours')`,
        [scope],
      );
      await run(scope, 'fresh', { note: 'fresh' });
      const cutOff = new Date(Date.now() - IDEMPOTENCY_RETENTION_MS);
      expect(await expireIdempotencyKeys(db.pool, schema, cutOff)).toBe(2);
      expect((await records(scope)).map((r) => r.key).sort()).toEqual(['fresh', 'recent']);
    });
  });
});
