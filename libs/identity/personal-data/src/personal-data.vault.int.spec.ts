import { randomBytes, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { uuidv7, type EventMetadata } from '@casegrid/kernel';
import {
  inTransaction,
  kernelMigrations,
  openServiceDatabase,
  PgEventStore,
  type Queryable,
  type ServiceDatabase,
} from '@casegrid/event-store';
import { createTestPool, dropSchemas, freshSchemaName, testInfra } from '@casegrid/testing';
import { blindIndex, deriveIndexKey } from './blind-index.crypto';
import { personIdOf, type SealedPersonalData } from './envelope.crypto';
import { LocalKeyEncryptionKey } from './local-key-encryption-key.crypto';
import { personalDataMigrations } from './personal-data.migrations';
import { PersonalDataVault } from './personal-data.vault';

describe('PersonalDataVault', () => {
  const schema = freshSchemaName('personal_data');
  const kek = new LocalKeyEncryptionKey(randomBytes(32));
  let db: ServiceDatabase;
  let admin: Pool;
  let vault: PersonalDataVault;

  beforeAll(async () => {
    db = await openServiceDatabase({
      url: testInfra().databaseUrl,
      schema,
      migrations: [...kernelMigrations(schema), ...personalDataMigrations(schema)],
      poolSize: 30,
    });
    admin = createTestPool();
    vault = new PersonalDataVault({ pool: db.pool, schema, kek });
  });
  afterAll(async () => {
    await db.close();
    await dropSchemas(admin, [schema]);
    await admin.end();
  });

  it('opens what it sealed, with one key row per person', async () => {
    const person = randomUUID();
    const fields = { name: '王五', idNumber: '11010519491231002X', phone: '+86 138 0013 8000' };
    const sealed = await vault.seal(person, fields);
    const again = await vault.seal(person, { address: '北京市朝阳区' });
    expect(await vault.open(sealed)).toEqual({ status: 'available', fields });
    expect(await vault.open(again)).toEqual({
      status: 'available',
      fields: { address: '北京市朝阳区' },
    });
    expect(await countKeys(person)).toBe(1);
  });

  it('keeps the clear text out of the events and outbox rows that carry it', async () => {
    const person = randomUUID();
    const store = new PgEventStore({ pool: db.pool, schema });
    const streamId = `case-${randomUUID()}`;
    await inTransaction(db.pool, async (tx) => {
      const applicant = await vault.seal(person, { name: 'Zhao Liu' }, tx);
      await store.appendInTransaction(tx, {
        streamId,
        expectedVersion: 0,
        publishTo: 'casegrid.case-events',
        events: [{ id: uuidv7(), type: 'CaseRegistered', data: { applicant }, metadata: meta() }],
      });
    });
    const { rows } = await admin.query<{ text: string }>(
      `select e::text || o::text as text from "${schema}".events e
       join "${schema}".outbox o on o.message_key = e.stream_id where e.stream_id = $1`,
      [streamId],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.text).not.toContain('Zhao Liu');
    const [event] = (await store.readStream(streamId)).events;
    const { applicant } = event!.data as { applicant: SealedPersonalData };
    expect(await vault.open(applicant)).toEqual({
      status: 'available',
      fields: { name: 'Zhao Liu' },
    });
  });

  it('writes the key in the caller transaction: a rollback leaves no key, and later a fresh one', async () => {
    const person = randomUUID();
    let orphan: SealedPersonalData | undefined;
    await expect(
      inTransaction(db.pool, async (tx) => {
        orphan = await vault.seal(person, { name: 'Sun Qi' }, tx);
        expect(await vault.open(orphan, tx)).toMatchObject({ status: 'available' });
        throw new Error('the append failed');
      }),
    ).rejects.toThrow('the append failed');
    expect(await countKeys(person)).toBe(0);
    await expect(vault.open(orphan!)).rejects.toMatchObject({ code: 'data_key_missing' });

    const sealed = await vault.seal(person, { name: 'Sun Qi' });
    expect(await countKeys(person)).toBe(1);
    expect(await vault.open(sealed)).toMatchObject({ status: 'available' });
    // The rolled-back key is gone for good: the orphan does not open under the new one.
    await expect(vault.open(orphan!)).rejects.toMatchObject({ code: 'personal_data_tampered' });
  });

  it('agrees on one key when twenty seal a new person at once', async () => {
    const person = randomUUID();
    const sealers = Array.from(
      { length: 20 },
      (_, i) =>
        new PersonalDataVault({ pool: db.pool, schema, kek, cacheTtlMs: i % 2 ? 0 : 60_000 }),
    );
    const sealed = await Promise.all(sealers.map((v, i) => v.seal(person, { n: String(i) })));
    expect(await countKeys(person)).toBe(1);
    const opened = await new PersonalDataVault({ pool: db.pool, schema, kek }).openMany(sealed);
    expect(opened.map((o) => (o.status === 'available' ? o.fields['n'] : o.status))).toEqual(
      sealed.map((_, i) => String(i)),
    );
  });

  it('agrees on one key when sealing concurrently inside transactions', async () => {
    const person = randomUUID();
    const sealed = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        inTransaction(db.pool, (tx) => vault.seal(person, { i: `${i}` }, tx)),
      ),
    );
    expect(await countKeys(person)).toBe(1);
    expect((await vault.openMany(sealed)).every((o) => o.status === 'available')).toBe(true);
  });

  it('opens a page of parties with one key lookup, in order', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const sealed = [
      await vault.seal(a, { role: 'applicant' }),
      await vault.seal(b, { role: 'respondent' }),
      await vault.seal(a, { role: 'witness' }),
    ];
    const counting = countingQueryable(db.pool);
    const fresh = new PersonalDataVault({ pool: db.pool, schema, kek });
    const opened = await fresh.openMany(sealed, counting);
    expect(counting.count()).toBe(1);
    expect(opened.map((o) => o.status === 'available' && o.fields['role'])).toEqual([
      'applicant',
      'respondent',
      'witness',
    ]);
  });

  it('refuses a tampered ciphertext and one moved to another person', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const sealed = await vault.seal(a, { name: 'Zhou Ba' });
    await vault.seal(b, { name: 'Wu Jiu' });
    const i = sealed.length - 5;
    const edited = (sealed.slice(0, i) +
      (sealed[i] === 'A' ? 'B' : 'A') +
      sealed.slice(i + 1)) as SealedPersonalData;
    await expect(vault.open(edited)).rejects.toMatchObject({ code: 'personal_data_tampered' });
    const moved = sealed.replace(a, b) as SealedPersonalData;
    await expect(vault.open(moved)).rejects.toMatchObject({ code: 'personal_data_tampered' });
  });

  it('cannot unwrap keys with another key-encryption key', async () => {
    const sealed = await vault.seal(randomUUID(), { name: 'Zheng Shi' });
    const other = new PersonalDataVault({
      pool: db.pool,
      schema,
      kek: new LocalKeyEncryptionKey(randomBytes(32)),
    });
    await expect(other.open(sealed)).rejects.toMatchObject({ code: 'data_key_unwrap_failed' });
    await expect(other.seal(personIdOf(sealed), { a: 'b' })).rejects.toMatchObject({
      code: 'data_key_unwrap_failed',
    });
  });

  it('refuses malformed input before touching the database', async () => {
    await expect(vault.seal('person-1', {})).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(vault.open('pd1.x.y.z')).rejects.toMatchObject({
      code: 'personal_data_malformed',
    });
  });

  it('indexes values with the key it was given, and only then', () => {
    const indexKey = deriveIndexKey(randomBytes(32));
    const indexed = new PersonalDataVault({ pool: db.pool, schema, kek, indexKey });
    expect(indexed.blindIndex('applicant.id_number', '11010519491231002x')).toBe(
      blindIndex(indexKey, 'applicant.id_number', '11010519491231002X'),
    );
    expect(() => vault.blindIndex('applicant.id_number', '1')).toThrow(/indexKey/);
  });

  const countKeys = async (personId: string): Promise<number> => {
    const { rows } = await admin.query<{ n: string }>(
      `select count(*) as n from "${schema}".person_keys where person_id = $1`,
      [personId],
    );
    return Number(rows[0]!.n);
  };
});

const meta = (): EventMetadata => ({
  actor: 'user-1',
  department: 'dept-1',
  correlationId: 'corr-1',
  occurredAt: '2026-03-02T09:00:00.000+08:00',
});

const countingQueryable = (pool: Pool): Queryable & { count(): number } => {
  let n = 0;
  return {
    count: () => n,
    query: (text, values) => {
      n += 1;
      return pool.query(text, values as unknown[]);
    },
  };
};
