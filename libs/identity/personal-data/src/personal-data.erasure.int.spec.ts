import { randomBytes, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { openServiceDatabase, type ServiceDatabase } from '@casegrid/event-store';
import {
  createTestPool,
  dropSchemas,
  freshSchemaName,
  testInfra,
  waitUntil,
} from '@casegrid/testing';
import { LocalKeyEncryptionKey } from './local-key-encryption-key.crypto';
import { PersonErasedError } from './personal-data.errors';
import { personalDataMigrations } from './personal-data.migrations';
import { PersonalDataVault, type PersonalDataVaultOptions } from './personal-data.vault';

describe('PersonalDataVault erasure (crypto-shredding)', () => {
  const schema = freshSchemaName('personal_data_erasure');
  const kek = new LocalKeyEncryptionKey(randomBytes(32));
  const by = { actor: 'officer-7', reason: 'data subject request 2026-114' };
  let db: ServiceDatabase;
  let otherPool: Pool;
  let admin: Pool;

  beforeAll(async () => {
    db = await openServiceDatabase({
      url: testInfra().databaseUrl,
      schema,
      migrations: personalDataMigrations(schema),
    });
    otherPool = createTestPool();
    admin = createTestPool();
  });
  afterAll(async () => {
    await db.close();
    await otherPool.end();
    await dropSchemas(admin, [schema]);
    await admin.end();
  });

  const vaultOn = (pool: Pool, options: Partial<PersonalDataVaultOptions> = {}) =>
    new PersonalDataVault({ pool, schema, kek, ...options });

  it('shreds the key: this instance and another (second pool) see the person erased', async () => {
    const here = vaultOn(db.pool);
    const elsewhere = vaultOn(otherPool, { cacheTtlMs: 0 });
    const person = randomUUID();
    const sealed = await here.seal(person, { name: 'Chen Shiyi' });
    expect(await elsewhere.open(sealed)).toMatchObject({ status: 'available' });
    expect(await here.open(sealed)).toMatchObject({ status: 'available' });

    const { erasedAt, alreadyErased } = await here.erase(person, by);
    expect(alreadyErased).toBe(false);
    expect(await here.open(sealed)).toEqual({ status: 'erased', erasedAt });
    expect(await elsewhere.open(sealed)).toEqual({ status: 'erased', erasedAt });
    const { rows } = await admin.query(
      `select wrapped_key, erased_by, erasure_reason from "${schema}".person_keys where person_id = $1`,
      [person],
    );
    expect(rows).toEqual([{ wrapped_key: null, erased_by: by.actor, erasure_reason: by.reason }]);
  });

  it('is idempotent: a second erasure reports the first one', async () => {
    const vault = vaultOn(db.pool);
    const person = randomUUID();
    await vault.seal(person, { phone: '13800138000' });
    const first = await vault.erase(person, by);
    const second = await vault.erase(person, { actor: 'someone-else', reason: 'again' });
    expect(second).toEqual({ erasedAt: first.erasedAt, alreadyErased: true });
  });

  it('lets exactly one of two racing erasures be the first', async () => {
    const person = randomUUID();
    await vaultOn(db.pool).seal(person, { phone: '13800138000' });
    const results = await Promise.all([
      vaultOn(db.pool).erase(person, by),
      vaultOn(otherPool).erase(person, by),
    ]);
    expect(results.map((r) => r.alreadyErased).sort()).toEqual([false, true]);
    expect(results[0].erasedAt).toBe(results[1].erasedAt);
  });

  it('honours another instance’s erasure within its cache TTL, no later', async () => {
    const cached = vaultOn(otherPool, { cacheTtlMs: 300 });
    const person = randomUUID();
    const sealed = await vaultOn(db.pool).seal(person, { name: 'Lin Shier' });
    expect(await cached.open(sealed)).toMatchObject({ status: 'available' });
    const started = Date.now();
    await vaultOn(db.pool).erase(person, by);
    await waitUntil(async () => (await cached.open(sealed)).status === 'erased', {
      timeoutMs: 2_000,
      what: 'erasure seen by the other instance',
    });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('refuses to seal for an erased person, even on an instance that cached the key', async () => {
    const person = randomUUID();
    const stale = vaultOn(otherPool);
    const sealed = await stale.seal(person, { name: 'Gao Shisan' });
    expect(await stale.open(sealed)).toMatchObject({ status: 'available' });
    await vaultOn(db.pool).erase(person, by);
    const attempt = stale.seal(person, { name: 'Gao Shisan' });
    await expect(attempt).rejects.toBeInstanceOf(PersonErasedError);
    await expect(stale.seal(person, {})).rejects.toMatchObject({
      code: 'illegal_state',
      refusal: 'person.erased',
    });
  });

  it('erases a person never sealed, so nothing can be sealed for them later', async () => {
    const vault = vaultOn(db.pool);
    const person = randomUUID();
    expect(await vault.erase(person, by)).toMatchObject({ alreadyErased: false });
    await expect(vault.seal(person, { name: 'He Shisi' })).rejects.toMatchObject({
      code: 'illegal_state',
    });
  });

  it('erases inside the caller transaction: a rollback keeps the key', async () => {
    const vault = vaultOn(db.pool, { cacheTtlMs: 0 });
    const person = randomUUID();
    const sealed = await vault.seal(person, { name: 'Luo Shiwu' });
    const client = await db.pool.connect();
    try {
      await client.query('begin');
      await vault.erase(person, by, client);
      expect(await vault.open(sealed, client)).toMatchObject({ status: 'erased' });
      await client.query('rollback');
    } finally {
      client.release();
    }
    expect(await vault.open(sealed)).toMatchObject({ status: 'available' });
  });

  it('needs an actor and a reason', async () => {
    await expect(
      vaultOn(db.pool).erase(randomUUID(), { actor: ' ', reason: '' }),
    ).rejects.toMatchObject({
      code: 'validation_failed',
      errors: [
        { field: 'actor', message: 'must not be blank' },
        { field: 'reason', message: 'must not be blank' },
      ],
    });
  });

  it('cannot hold an erased row with a key, nor a live one without', async () => {
    const person = randomUUID();
    await vaultOn(db.pool).seal(person, { a: 'b' });
    await expect(
      admin.query(
        `update "${schema}".person_keys set erased_at = now(), erased_by = 'x' where person_id = $1`,
        [person],
      ),
    ).rejects.toMatchObject({ code: '23514' });
    await expect(
      admin.query(`update "${schema}".person_keys set wrapped_key = null where person_id = $1`, [
        person,
      ]),
    ).rejects.toMatchObject({ code: '23514' });
  });
});
