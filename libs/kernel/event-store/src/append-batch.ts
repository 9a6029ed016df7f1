import { ConcurrencyError, ValidationError } from '@casegrid/kernel';
import { prepared, type Prepared, type Queryable } from './queryable';
import { quoteSchema } from './sql-identifier';
import type { AppendRequest, AppendResult } from './event-store.types';

/** Per-request outcome of `append_batch` (event-store.ddl.ts). */
export type AppendOutcome =
  | { readonly kind: 'done'; readonly result: AppendResult }
  | { readonly kind: 'conflict'; readonly error: Error }
  | { readonly kind: 'out_of_order' };

export interface OutcomeRow {
  outcome: 'ok' | 'duplicate' | 'conflict' | 'id_reused' | 'out_of_order';
  stream_version: string | null;
  first_position: string | null;
  last_position: string | null;
}

const appendBatchStatements = new Map<string, Prepared>();
export const appendBatchSql = (schema: string): Prepared => {
  let statement = appendBatchStatements.get(schema);
  if (!statement) {
    statement = prepared(
      `select * from ${quoteSchema(schema)}.append_batch(` +
        `$1::text[], $2::bigint[], $3::int[], $4::text[], $5::uuid[], $6::text[], $7::int[], $8::jsonb[], $9::jsonb[])`,
    );
    appendBatchStatements.set(schema, statement);
  }
  return statement;
};

export const validateRequest = (request: AppendRequest): void => {
  const errors: { field: string; message: string }[] = [];
  if (!request.streamId) errors.push({ field: 'streamId', message: 'must not be empty' });
  if (request.events.length === 0) errors.push({ field: 'events', message: 'must not be empty' });
  const v = request.expectedVersion;
  if (v !== 'any' && !(Number.isSafeInteger(v) && v >= 0)) {
    errors.push({ field: 'expectedVersion', message: 'must be a whole number >= 0 or "any"' });
  }
  if (errors.length > 0) throw new ValidationError(errors);
};

/**
 * Runs `append_batch` for the requests on `db` — one statement, so one round trip; on a
 * pool it is its own transaction, on a client it joins the caller's transaction.
 */
export const appendBatch = async (
  db: Queryable,
  schema: string,
  requests: readonly AppendRequest[],
): Promise<AppendOutcome[]> => {
  const { rows } = await db.query<OutcomeRow>(appendBatchSql(schema).with(appendParams(requests)));
  return toOutcomes(requests, rows);
};

/** `append_batch`'s nine arrays for the requests (shared by `append_numbered`). */
export const appendParams = (requests: readonly AppendRequest[]): unknown[][] => {
  const streamIds: string[] = [];
  const expected: number[] = [];
  const counts: number[] = [];
  const topics: (string | null)[] = [];
  const ids: string[] = [];
  const types: string[] = [];
  const versions: number[] = [];
  const data: string[] = [];
  const metadata: string[] = [];
  for (const request of requests) {
    streamIds.push(request.streamId);
    expected.push(request.expectedVersion === 'any' ? -1 : request.expectedVersion);
    counts.push(request.events.length);
    topics.push(request.publishTo ?? null);
    for (const event of request.events) {
      ids.push(event.id);
      types.push(event.type);
      versions.push(event.schemaVersion ?? 1);
      data.push(JSON.stringify(event.data));
      metadata.push(JSON.stringify(event.metadata));
    }
  }
  return [streamIds, expected, counts, topics, ids, types, versions, data, metadata];
};

export const toOutcomes = (
  requests: readonly AppendRequest[],
  rows: readonly OutcomeRow[],
): AppendOutcome[] => {
  if (rows.length !== requests.length) {
    throw new Error(`append_batch returned ${rows.length} rows for ${requests.length} requests`);
  }
  return rows.map((row, i) => toOutcome(requests[i]!, row));
};

const toOutcome = (request: AppendRequest, row: OutcomeRow): AppendOutcome => {
  const version = Number(row.stream_version ?? 0);
  switch (row.outcome) {
    case 'ok':
    case 'duplicate':
      return {
        kind: 'done',
        result: {
          streamId: request.streamId,
          nextVersion: version,
          firstGlobalPosition: Number(row.first_position),
          lastGlobalPosition: Number(row.last_position),
          duplicate: row.outcome === 'duplicate',
        },
      };
    case 'conflict':
      return {
        kind: 'conflict',
        error: new ConcurrencyError(request.streamId, request.expectedVersion, version),
      };
    case 'id_reused':
      return {
        kind: 'conflict',
        error: new ValidationError([
          { field: 'events[].id', message: 'some of these event ids were appended before' },
        ]),
      };
    case 'out_of_order':
      return { kind: 'out_of_order' };
  }
};
