import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { ValidationError } from '@casegrid/kernel';
import { inTransaction, withClient } from './transaction';
import type { Queryable } from './queryable';
import { quoteSchema } from './sql-identifier';

export { idempotencyDdl } from './idempotency.ddl';

/**
 * Idempotency-Key (API.md, Conventions): a retry with the same key and body returns the
 * first response and changes nothing; the same key with another body is a 422.
 *
 * The record lives in the service's own PostgreSQL schema and is written in the command's
 * own transaction, beside its events, outbox and read-model rows. Effect and record commit
 * or vanish together: a crash between commit and reply leaves the record, so the retry is
 * answered from it, and a crash before commit leaves neither, so the retry runs afresh. A
 * store beside the database (Redis alone) cannot promise that: it can lose the record of a
 * committed effect, and the retry then repeats the effect.
 */

/** How long a key is kept; the floor for housekeeping, not a promise to forget sooner. */
export const IDEMPOTENCY_RETENTION_MS = 86_400_000;

/** Printable ASCII without spaces, 1–200 characters (a UUID fits, so does a ULID). */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

const FIELD = 'Idempotency-Key';

/** The header's key, `undefined` when absent; a malformed or repeated header is a 400. */
export function parseIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (Array.isArray(header)) {
    if (header.length === 0) return undefined;
    if (header.length > 1)
      throw new ValidationError([{ field: FIELD, message: 'must be sent once' }]);
    return parseIdempotencyKey(header[0]);
  }
  if (!IDEMPOTENCY_KEY.test(header)) {
    // Node joins a repeated header with ", ", which the pattern (no spaces) refuses too.
    throw new ValidationError([
      { field: FIELD, message: 'must be 1 to 200 printable ASCII characters without spaces' },
    ]);
  }
  return header;
}

/**
 * SHA-256 (hex) of the request as canonical JSON: object keys sorted at every depth,
 * arrays in their order. Two bodies that mean the same (keys reordered) match; any other
 * difference, an array's order included, does not.
 */
export function requestFingerprint(parts: { method: string; path: string; body: unknown }): string {
  const canonical = canonicalJson({
    method: parts.method.toUpperCase(),
    path: parts.path,
    body: parts.body ?? null,
  });
  return createHash('sha256').update(canonical).digest('hex');
}

const canonicalJson = (value: unknown): string => {
  if (value !== null && typeof value === 'object') {
    const toJson = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJson === 'function') return canonicalJson(toJson.call(value));
    if (Array.isArray(value)) {
      // As JSON.stringify: what JSON cannot hold becomes null inside an array.
      return `[${value.map((item: unknown) => (isJsonValue(item) ? canonicalJson(item) : 'null')).join(',')}]`;
    }
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .sort()
      .filter((name) => isJsonValue(record[name]))
      .map((name) => `${JSON.stringify(name)}:${canonicalJson(record[name])}`);
    return `{${members.join(',')}}`;
  }
  return isJsonValue(value) ? JSON.stringify(value) : 'null';
};

const isJsonValue = (value: unknown): boolean =>
  value !== undefined && typeof value !== 'function' && typeof value !== 'symbol';

/** The key was already used, by the same caller, for a different request: a 422 at the edge. */
export class IdempotencyConflictError extends Error {
  readonly code = 'idempotency_key_reused' as const;
  constructor(readonly key: string) {
    super(`Idempotency-Key ${JSON.stringify(key)} was already used for a different request`);
  }
}

export interface IdempotentRequest {
  /** Whose key it is (the caller's user id): keys are per caller and never collide. */
  readonly scope: string;
  readonly key: string | undefined;
  /** `requestFingerprint` of the request. */
  readonly fingerprint: string;
}

export interface IdempotentResponse<T> {
  readonly status: number;
  /** Replayed bodies come back from JSONB: only what JSON holds survives (a Date as a string). */
  readonly body: T;
  /** True when the response is the stored answer to an earlier request with the key. */
  readonly replayed: boolean;
}

interface StoredResponse {
  readonly fingerprint: string;
  readonly status: number;
  readonly response: unknown;
}

/**
 * Runs a command exactly once per (scope, key).
 *
 * Without a key it is `inTransaction(pool, work)`. With one, on a single client:
 * 1. A committed record answers at once: the same fingerprint replays it and runs nothing,
 *    another fingerprint is an `IdempotencyConflictError`.
 * 2. Otherwise `work` runs in a transaction and, in that same transaction, the record is
 *    inserted with `on conflict (scope, key) do nothing`. A concurrent request with the key
 *    that inserted first holds the row; the insert waits for it to commit. If it committed,
 *    the insert finds the conflict: this transaction's work is rolled back and the
 *    committed record answers. Twenty identical requests racing thus make one effect.
 *
 * Only 2xx outcomes are recorded. A thrown error, or a non-2xx status returned by `work`,
 * rolls the transaction back and leaves no record, so the effect is committed exactly when
 * its record is, and a retry with the same key runs again. Unlike Stripe, which also keeps
 * errors once a request began executing, we can afford to: our errors write nothing (API.md
 * "nothing is half-written on any error"), and they are mostly about the moment (a version
 * conflict, a rate limit, an unavailable dependency), so a retry deserves a fresh attempt
 * rather than the stale failure for the next 24 hours.
 */
export async function runIdempotent<T>(
  pool: Pool,
  schema: string,
  request: IdempotentRequest,
  work: (client: PoolClient) => Promise<{ status: number; body: T }>,
): Promise<IdempotentResponse<T>> {
  const { key } = request;
  if (key === undefined) return { ...(await inTransaction(pool, work)), replayed: false };
  const table = `${quoteSchema(schema)}.idempotency_keys`;
  return withClient(pool, async (client) => {
    const earlier = await findRecord(client, table, request.scope, key);
    if (earlier) return replay<T>(earlier, request.fingerprint, key);
    const outcome = await runAndRecord(client, table, { ...request, key }, work);
    if (outcome) return { ...outcome, replayed: false };
    // A twin committed first; its record is visible now that ours is rolled back.
    const winner = await findRecord(client, table, request.scope, key);
    if (!winner) throw new Error(`idempotency record ${key} vanished after a key conflict`);
    return replay<T>(winner, request.fingerprint, key);
  });
}

/**
 * `work` and its record in one transaction. Returns the outcome when both committed, or
 * `undefined` when a concurrent request had committed the key first (all rolled back).
 */
async function runAndRecord<T>(
  client: PoolClient,
  table: string,
  request: IdempotentRequest & { readonly key: string },
  work: (client: PoolClient) => Promise<{ status: number; body: T }>,
): Promise<{ status: number; body: T } | undefined> {
  await client.query('begin');
  try {
    const outcome = await work(client);
    if (!isSuccess(outcome.status)) {
      await client.query('rollback');
      return outcome;
    }
    const inserted = await client.query(
      `insert into ${table} (scope, key, fingerprint, status, response)
       values ($1, $2, $3, $4, $5::jsonb)
       on conflict (scope, key) do nothing`,
      [request.scope, request.key, request.fingerprint, outcome.status, toJson(outcome.body)],
    );
    if (inserted.rowCount === 0) {
      await client.query('rollback');
      return undefined;
    }
    await client.query('commit');
    return outcome;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    // The work may have failed because a twin got there first (it waited on the twin's
    // stream row and then saw a version conflict): the twin's committed answer is ours.
    const winner = await findRecord(client, table, request.scope, request.key).catch(
      () => undefined,
    );
    if (winner) return undefined;
    throw error;
  }
}

const findRecord = async (
  db: Queryable,
  table: string,
  scope: string,
  key: string,
): Promise<StoredResponse | undefined> => {
  const { rows } = await db.query<StoredResponse>(
    `select fingerprint, status, response from ${table} where scope = $1 and key = $2`,
    [scope, key],
  );
  return rows[0];
};

const replay = <T>(
  record: StoredResponse,
  fingerprint: string,
  key: string,
): IdempotentResponse<T> => {
  if (record.fingerprint !== fingerprint) throw new IdempotencyConflictError(key);
  return { status: record.status, body: record.response as T, replayed: true };
};

const isSuccess = (status: number): boolean => status >= 200 && status < 300;

/** node-postgres would turn a top-level array into a PostgreSQL array: serialise ourselves. */
const toJson = (body: unknown): string => JSON.stringify(body) ?? 'null';

/** Housekeeping: deletes records created before `olderThan`; returns how many. */
export async function expireIdempotencyKeys(
  db: Queryable,
  schema: string,
  olderThan: Date,
): Promise<number> {
  const { rowCount } = await db.query(
    `delete from ${quoteSchema(schema)}.idempotency_keys where created_at < $1`,
    [olderThan],
  );
  return rowCount ?? 0;
}
