import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { ValidationError } from '@casegrid/kernel';
import { quoteSchema, type Queryable } from '@casegrid/event-store';
import { blindIndex } from './blind-index.crypto';
import { DataKeyCache, type CachedPersonKey } from './data-key.cache';
import {
  assertPersonalFields,
  canonicalPersonId,
  openWithKey,
  parseSealed,
  sealWithKey,
  type PersonalFields,
  type SealedPersonalData,
} from './envelope.crypto';
import type { KeyEncryptionKey } from './key-encryption-key.port';
import { PersonalDataError, PersonErasedError } from './personal-data.errors';

export interface PersonalDataVaultOptions {
  readonly pool: Pool;
  /** The owning service's schema, migrated with `personalDataMigrations`. */
  readonly schema: string;
  readonly kek: KeyEncryptionKey;
  /**
   * How long an unwrapped key is reused without asking the database. It is also how long
   * another instance may still open a person after this one erased them: keep it short;
   * 0 disables the cache.
   */
  readonly cacheTtlMs?: number;
  readonly cacheSize?: number;
  /** For `blindIndex`: `deriveIndexKey(masterKey)`, or a key from the KMS. */
  readonly indexKey?: Uint8Array;
}

export type OpenedPersonalData =
  | { readonly status: 'available'; readonly fields: Record<string, string> }
  | { readonly status: 'erased'; readonly erasedAt: string };

export interface ErasureRequest {
  readonly actor: string;
  readonly reason: string;
}

export interface ErasureResult {
  readonly erasedAt: string;
  /** True when an earlier call erased the person; `erasedAt` is that first erasure's. */
  readonly alreadyErased: boolean;
}

interface KeyRow {
  readonly person_id: string;
  readonly kek_id: string;
  readonly wrapped_key: Buffer | null;
  readonly erased_at: Date | null;
}

const DATA_KEY_BYTES = 32;

/**
 * Envelope encryption with one data key per person, and crypto-shredding: erasing a
 * person deletes their wrapped key, and every copy of their ciphertext — events, outbox,
 * Kafka, other services' stores — becomes unreadable while hash chains stay intact.
 *
 * The cache only ever holds keys read through the pool, i.e. committed rows. A key read
 * through a caller's transaction may be one that transaction created; cached before the
 * commit, a rollback would leave later seals using a key that no row holds.
 */
export class PersonalDataVault {
  readonly #cache: DataKeyCache;
  readonly #table: string;
  /** Bumped by every erase: a lookup that overlapped one does not refill the cache. */
  #epoch = 0;

  constructor(private readonly options: PersonalDataVaultOptions) {
    this.#table = `${quoteSchema(options.schema)}.person_keys`;
    this.#cache = new DataKeyCache({
      ttlMs: options.cacheTtlMs ?? 60_000,
      maxEntries: options.cacheSize ?? 10_000,
    });
  }

  /**
   * Pass `db`, the client of the transaction that appends the events carrying this
   * ciphertext: a new person's key row is then committed with them or not at all. Sealed
   * through the pool, the key commits first, so a crash leaves at worst an unused key;
   * what must never happen is an event whose key was never committed. The transaction is
   * expected at READ COMMITTED (the default), so racing sealers converge on one key.
   */
  async seal(
    personId: string,
    fields: PersonalFields,
    db?: Queryable,
  ): Promise<SealedPersonalData> {
    const id = canonicalPersonId(personId);
    assertPersonalFields(fields);
    return sealWithKey(await this.keyForSealing(id, db), id, fields);
  }

  /**
   * `seal` for a person created in the caller's transaction a moment ago: no key can exist
   * for them yet, so none is looked up (one statement, not two). Should one exist after
   * all, this is `seal`.
   */
  async sealForNewPerson(
    personId: string,
    fields: PersonalFields,
    db: Queryable,
  ): Promise<SealedPersonalData> {
    const id = canonicalPersonId(personId);
    assertPersonalFields(fields);
    const dataKey = randomBytes(DATA_KEY_BYTES);
    const wrapped = Buffer.from(await this.options.kek.wrap(dataKey));
    const inserted = await db.query(
      `insert into ${this.#table} (person_id, kek_id, wrapped_key) values ($1, $2, $3)
       on conflict (person_id) do nothing`,
      [id, this.options.kek.id, wrapped],
    );
    if (inserted.rowCount !== 1) return this.seal(id, fields, db);
    return sealWithKey(dataKey, id, fields);
  }

  async open(sealed: SealedPersonalData, db?: Queryable): Promise<OpenedPersonalData> {
    const [opened] = await this.openMany([sealed], db);
    return opened!;
  }

  /** Opens several records with one key lookup for all their people (a case page's parties). */
  async openMany(
    sealed: readonly SealedPersonalData[],
    db?: Queryable,
  ): Promise<OpenedPersonalData[]> {
    const ids = sealed.map((s) => parseSealed(s).personId);
    const keys = await this.keysForOpening([...new Set(ids)], db);
    return sealed.map((s, i): OpenedPersonalData => {
      const key = keys.get(ids[i]!)!;
      return key.status === 'erased'
        ? { status: 'erased', erasedAt: key.erasedAt }
        : { status: 'available', fields: openWithKey(key.dataKey, s) };
    });
  }

  /**
   * Shreds the person's key; idempotent. A person never sealed gets a tombstone, so no
   * data can be sealed for them later either. This instance stops opening their data at
   * once; other instances within their `cacheTtlMs`. Inside a caller's transaction the
   * erasure takes effect at its commit.
   */
  async erase(personId: string, request: ErasureRequest, db?: Queryable): Promise<ErasureResult> {
    const id = canonicalPersonId(personId);
    const blank = (['actor', 'reason'] as const).filter((f) => request[f].trim() === '');
    if (blank.length > 0) {
      throw new ValidationError(blank.map((field) => ({ field, message: 'must not be blank' })));
    }
    const q = db ?? this.options.pool;
    this.forget(id);
    try {
      const { rows } = await q.query<{ erased_at: Date }>(
        `insert into ${this.#table} as k
           (person_id, kek_id, wrapped_key, erased_at, erased_by, erasure_reason)
         values ($1, $2, null, now(), $3, $4)
         on conflict (person_id) do update
           set wrapped_key = null, erased_at = now(),
               erased_by = excluded.erased_by, erasure_reason = excluded.erasure_reason
           where k.erased_at is null
         returning erased_at`,
        [id, this.options.kek.id, request.actor, request.reason],
      );
      if (rows[0] !== undefined) {
        return { erasedAt: rows[0].erased_at.toISOString(), alreadyErased: false };
      }
      // The row was erased before (possibly by a concurrent erase we waited for).
      const earlier = await this.readRows([id], q);
      return { erasedAt: earlier[0]!.erased_at!.toISOString(), alreadyErased: true };
    } finally {
      // Again after the write: a lookup that ran meanwhile may have cached the old key.
      this.forget(id);
    }
  }

  /** A keyed token of `value` for finding repeats without storing it (see `blindIndex`). */
  blindIndex(purpose: string, value: string): string {
    if (this.options.indexKey === undefined) {
      throw new Error('PersonalDataVault was built without an indexKey');
    }
    return blindIndex(this.options.indexKey, purpose, value);
  }

  private forget(personId: string): void {
    this.#epoch += 1;
    this.#cache.delete(personId);
  }

  private async keyForSealing(id: string, db: Queryable | undefined): Promise<Buffer> {
    const q = db ?? this.options.pool;
    const epoch = this.#epoch;
    // Always read the row, even on a cache hit: sealing must refuse an erased person even
    // when another instance erased them a moment ago.
    const [row] = await this.readRows([id], q);
    if (row !== undefined) {
      const key = await this.fromRow(row, db === undefined && epoch === this.#epoch);
      if (key.status === 'erased') throw new PersonErasedError(id, key.erasedAt);
      return key.dataKey;
    }
    const dataKey = randomBytes(DATA_KEY_BYTES);
    const wrapped = Buffer.from(await this.options.kek.wrap(dataKey));
    const inserted = await q.query(
      `insert into ${this.#table} (person_id, kek_id, wrapped_key) values ($1, $2, $3)
       on conflict (person_id) do nothing`,
      [id, this.options.kek.id, wrapped],
    );
    if (inserted.rowCount === 1) {
      if (db === undefined && epoch === this.#epoch) {
        this.#cache.set(id, { status: 'available', wrapped, dataKey });
      }
      return dataKey;
    }
    // A concurrent sealer committed first (the insert waited for it). Under READ COMMITTED
    // this new statement sees its row: both end with one key.
    const [theirs] = await this.readRows([id], q);
    if (theirs === undefined) throw missing(id);
    const key = await this.fromRow(theirs, db === undefined && epoch === this.#epoch);
    if (key.status === 'erased') throw new PersonErasedError(id, key.erasedAt);
    return key.dataKey;
  }

  private async keysForOpening(
    ids: readonly string[],
    db: Queryable | undefined,
  ): Promise<Map<string, CachedPersonKey>> {
    const keys = new Map<string, CachedPersonKey>();
    const unknown = ids.filter((id) => {
      const cached = this.#cache.get(id);
      if (cached !== undefined) keys.set(id, cached);
      return cached === undefined;
    });
    if (unknown.length === 0) return keys;
    const epoch = this.#epoch;
    const rows = await this.readRows(unknown, db ?? this.options.pool);
    const cacheable = db === undefined && epoch === this.#epoch;
    const found = await Promise.all(rows.map((row) => this.fromRow(row, cacheable)));
    rows.forEach((row, i) => keys.set(row.person_id, found[i]!));
    const absent = unknown.find((id) => !keys.has(id));
    if (absent !== undefined) throw missing(absent);
    return keys;
  }

  /** Unwraps a row's key (reusing a cached one only if it is that very key). */
  private async fromRow(row: KeyRow, cacheable: boolean): Promise<CachedPersonKey> {
    let key: CachedPersonKey;
    if (row.erased_at !== null || row.wrapped_key === null) {
      key = { status: 'erased', erasedAt: (row.erased_at ?? new Date(0)).toISOString() };
    } else {
      const cached = this.#cache.get(row.person_id);
      if (cached?.status === 'available' && cached.wrapped.equals(row.wrapped_key)) return cached;
      const dataKey = Buffer.from(await this.options.kek.unwrap(row.wrapped_key));
      key = { status: 'available', wrapped: row.wrapped_key, dataKey };
    }
    if (cacheable) this.#cache.set(row.person_id, key);
    return key;
  }

  private async readRows(ids: readonly string[], q: Queryable): Promise<KeyRow[]> {
    const { rows } = await q.query<KeyRow>(
      `select person_id, kek_id, wrapped_key, erased_at from ${this.#table}
       where person_id = any($1::uuid[])`,
      [ids],
    );
    return rows;
  }
}

const missing = (personId: string): PersonalDataError =>
  new PersonalDataError(
    'data_key_missing',
    `no data key for person ${personId} in this schema: sealed elsewhere, or in a ` +
      `transaction that rolled back`,
  );
