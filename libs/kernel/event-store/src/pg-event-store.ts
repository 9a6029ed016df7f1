import type { Pool, PoolClient } from 'pg';
import { ConcurrencyError } from '@casegrid/kernel';
import type { EventMetadata } from '@casegrid/kernel';
import {
  appendBatch,
  appendParams,
  toOutcomes,
  validateRequest,
  type OutcomeRow,
} from './append-batch';
import { GroupCommitter, type GroupCommitOptions } from './group-committer';
import { horizonSql, readAfter } from './horizon-reader';
import type { Queryable } from './queryable';
import { quoteSchema } from './sql-identifier';
import { withTraceContext } from './trace-context';
import { queryAndCommit } from './transaction';
import {
  START,
  type AppendRequest,
  type AppendResult,
  type ReadCheckpoint,
  type RecordedEvent,
} from './event-store.types';

export interface EventStoreOptions {
  readonly pool: Pool;
  /** The owning service's schema (created by its migrations). */
  readonly schema: string;
  readonly groupCommit?: Partial<GroupCommitOptions>;
  /** Called after each committed append (e.g. to wake the outbox relay). */
  readonly onAppended?: () => void;
}

/** `append_numbered`'s refusal (a conflict, reused ids, out of order), read back as its row. */
const refusedOutcome = (
  error: unknown,
): Pick<OutcomeRow, 'outcome' | 'stream_version'> | undefined => {
  const e = error as { code?: unknown; message?: unknown; detail?: unknown };
  if (e.code !== 'P0001' || typeof e.message !== 'string') return undefined;
  if (!e.message.startsWith('append_numbered:') || typeof e.detail !== 'string') return undefined;
  return JSON.parse(e.detail) as Pick<OutcomeRow, 'outcome' | 'stream_version'>;
};

/** A gapless series and where its number goes in the first event's data. */
export interface Numbering {
  /** One gapless sequence, e.g. `case:370102:2026`. */
  readonly series: string;
  /** format()'s template with one `%s` for the zero-padded sequence: `2026-370102-%s`. */
  readonly template: string;
  readonly width: number;
  /** Where in the first event's data the number is written, e.g. `['number']`. */
  readonly path: readonly string[];
}

export interface ReadStreamResult {
  /** The stream's current version (0 when it does not exist). */
  readonly version: number;
  readonly events: RecordedEvent[];
}

export interface ReadAllResult {
  readonly events: RecordedEvent[];
  /** Pass back as `after` to continue; equals `after` when nothing new was visible. */
  readonly checkpoint: ReadCheckpoint;
}

type EventRow = {
  event_id: string;
  stream_id: string;
  stream_position: string;
  global_position: string;
  transaction_id: string;
  event_type: string;
  schema_version: number;
  data: unknown;
  metadata: EventMetadata;
  recorded_at: Date;
};

const COLUMNS =
  'e.event_id, e.stream_id, e.stream_position, e.global_position, e.transaction_id::text, ' +
  'e.event_type, e.schema_version, e.data, e.metadata, e.recorded_at';

export const toRecordedEvent = (row: EventRow): RecordedEvent => ({
  id: row.event_id,
  streamId: row.stream_id,
  streamPosition: Number(row.stream_position),
  globalPosition: Number(row.global_position),
  transactionId: row.transaction_id,
  type: row.event_type,
  schemaVersion: row.schema_version,
  data: row.data,
  metadata: row.metadata,
  recordedAt: row.recorded_at,
});

/**
 * PostgreSQL event store of one service. Appends from independent callers are group
 * committed (group-committer.ts); `appendInTransaction` joins a caller's transaction —
 * a consumer writes its inbox row and its events atomically that way.
 */
export class PgEventStore {
  readonly schema: string;
  private readonly committer: GroupCommitter;
  private readonly s: string;
  private readonly readAllSql: string;

  constructor(private readonly options: EventStoreOptions) {
    this.schema = options.schema;
    this.s = quoteSchema(options.schema);
    this.committer = new GroupCommitter(options.pool, options.schema, {
      maxBatchSize: options.groupCommit?.maxBatchSize ?? 256,
      maxInFlight: options.groupCommit?.maxInFlight ?? 2,
    });
    this.readAllSql = horizonSql({
      from: `${COLUMNS} from ${this.s}.events e`,
      transactionColumn: 'e.transaction_id',
      positionColumn: 'e.global_position',
    });
  }

  /** Appends in a transaction of its own; resolves once committed. */
  async append(request: AppendRequest): Promise<AppendResult> {
    validateRequest(request);
    const result = await this.committer.append(withTraceContext(request));
    if (!result.duplicate) this.options.onAppended?.();
    return result;
  }

  /**
   * Appends inside the caller's open transaction on `client` (no group commit: the
   * caller's commit is the boundary). Conflicts and out-of-order throw; the caller rolls
   * back and retries the whole unit of work.
   */
  async appendInTransaction(client: Queryable, request: AppendRequest): Promise<AppendResult> {
    return (await this.appendManyInTransaction(client, [request]))[0]!;
  }

  /**
   * Appends to several streams (each at most once) inside the caller's open transaction,
   * in one statement. The first conflict or out-of-order throws, and the caller rolls back
   * the whole unit of work.
   */
  async appendManyInTransaction(
    client: Queryable,
    requests: readonly AppendRequest[],
  ): Promise<AppendResult[]> {
    if (requests.length === 0) return [];
    requests.forEach(validateRequest);
    const outcomes = await appendBatch(client, this.schema, requests.map(withTraceContext));
    return outcomes.map((outcome, i) => {
      switch (outcome.kind) {
        case 'done':
          return outcome.result;
        case 'conflict':
          throw outcome.error;
        case 'out_of_order':
          throw new ConcurrencyError(requests[i]!.streamId, requests[i]!.expectedVersion, -1);
      }
    });
  }

  /**
   * Appends one request whose first event carries the next number of a gapless series
   * (`append_numbered`), inside the caller's transaction. With `last`, this is the
   * transaction's last statement and, in a transaction of `inTransaction`, is sent with
   * its commit (`queryAndCommit`): the series stays locked for that round trip only.
   */
  async appendNumberedInTransaction(
    client: PoolClient,
    numbering: Numbering,
    request: AppendRequest,
    options: { readonly last?: boolean } = {},
  ): Promise<{ readonly number: string; readonly result: AppendResult }> {
    validateRequest(request);
    const traced = withTraceContext(request);
    const sql = `select * from ${this.s}.append_numbered($1::text, $2::text, $3::int, $4::text[], ${[
      '$5::text[]',
      '$6::bigint[]',
      '$7::int[]',
      '$8::text[]',
      '$9::uuid[]',
      '$10::text[]',
      '$11::int[]',
      '$12::jsonb[]',
      '$13::jsonb[]',
    ].join(', ')})`;
    const values = [
      numbering.series,
      numbering.template,
      numbering.width,
      [...numbering.path],
      ...appendParams([traced]),
    ];
    const { rows } = await (
      options.last
        ? queryAndCommit<OutcomeRow & { number: string }>(client, sql, values)
        : client.query<OutcomeRow & { number: string }>(sql, values)
    ).catch((error: unknown) => {
      // The function raises what append_batch would have answered as a row: the outcome.
      const refused = refusedOutcome(error);
      if (!refused) throw error;
      return { rows: [{ ...refused, number: '', first_position: null, last_position: null }] };
    });
    const outcome = toOutcomes([request], rows)[0]!;
    switch (outcome.kind) {
      case 'done':
        return { number: rows[0]!.number, result: outcome.result };
      case 'conflict':
        throw outcome.error;
      case 'out_of_order':
        throw new ConcurrencyError(request.streamId, request.expectedVersion, -1);
    }
  }

  async readStream(
    streamId: string,
    range: { from?: number; to?: number } = {},
    db: Queryable = this.options.pool,
  ): Promise<ReadStreamResult> {
    const { rows } = await db.query<EventRow & { version: string }>(
      `select ${COLUMNS}, s.version from ${this.s}.streams s
       left join ${this.s}.events e on e.stream_id = s.stream_id
         and e.stream_position between $2 and $3
       where s.stream_id = $1 order by e.stream_position`,
      [streamId, range.from ?? 1, range.to ?? Number.MAX_SAFE_INTEGER],
    );
    if (rows.length === 0) return { version: 0, events: [] };
    return {
      version: Number(rows[0]!.version),
      events: rows.filter((row) => row.event_id !== null).map(toRecordedEvent),
    };
  }

  /** Every event of the store after `after`, in read order, never skipping a late commit. */
  async readAll(
    after: ReadCheckpoint = START,
    limit = 1000,
    db: Queryable = this.options.pool,
  ): Promise<ReadAllResult> {
    const rows = await readAfter<EventRow>(db, this.readAllSql, after, limit);
    const events = rows.map(toRecordedEvent);
    const last = events[events.length - 1];
    return {
      events,
      checkpoint: last
        ? { transactionId: last.transactionId, position: last.globalPosition }
        : after,
    };
  }
}
