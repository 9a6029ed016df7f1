import type { Pool, PoolClient } from 'pg';
import { chainHash, GENESIS_HASH, type ChainLink } from '@casegrid/audit';
import { parseCeType, type CloudEvent } from '@casegrid/contracts';
import { quoteSchema, type Queryable } from '@casegrid/event-store';
import { AUDIT_WRITER_ROLE } from './audit-log.migrations';

/** Lock namespace of audit's per-case advisory locks (any constant; ours). */
const CASE_LOCK = 0xa0d;

export interface StoredEvent extends ChainLink {
  readonly caseId: string;
  readonly globalSeq: number;
  readonly event: CloudEvent;
  readonly recordedAt: string;
}

interface Row {
  case_id: string;
  position: number;
  global_seq: string;
  event: CloudEvent;
  prev_hash: string;
  hash: string;
  recorded_at: Date;
}

const stored = (r: Row): StoredEvent => ({
  caseId: r.case_id,
  position: r.position,
  globalSeq: Number(r.global_seq),
  event: r.event,
  prevHash: r.prev_hash,
  hash: r.hash,
  recordedAt: r.recorded_at.toISOString(),
});

const COLUMNS = 'case_id, position, global_seq, event, prev_hash, hash, recorded_at';

/**
 * audit's log of case events. `append` runs in the consumer's transaction (with its inbox
 * row) as the writer role: `SET LOCAL ROLE` drops the connection's own rights for the
 * rest of the transaction, so even a bug here cannot update or delete (measured: one
 * round trip, folded into the lock statement). Under the case's advisory lock the next
 * position is the last one + 1 and the hash chains from the last hash, so two instances
 * (Kafka rebalancing) never fork a chain; the unique index on the CloudEvent id absorbs a
 * duplicate that slipped past the inbox.
 */
export class AuditLogStore {
  private readonly s: string;

  constructor(
    readonly pool: Pool,
    readonly schema: string,
  ) {
    this.s = quoteSchema(schema);
  }

  async append(tx: PoolClient, event: CloudEvent): Promise<'appended' | 'duplicate'> {
    const caseId = event.subject;
    await tx.query(`select set_config('role', $1, true), pg_advisory_xact_lock($2, hashtext($3))`, [
      AUDIT_WRITER_ROLE,
      CASE_LOCK,
      caseId,
    ]);
    const { rows } = await tx.query<{
      position: number;
      hash: string;
      region_code: string | null;
      dup: boolean;
    }>(
      `select position, hash, region_code,
         exists (select 1 from ${this.s}.case_events where event->>'id' = $2) as dup
       from ${this.s}.case_events where case_id = $1 order by position desc limit 1`,
      [caseId, event.id],
    );
    const last = rows[0];
    if (last?.dup) return 'duplicate';
    const prevHash = last?.hash ?? GENESIS_HASH;
    const registered = parseCeType(event.type)?.name === 'CaseRegistered';
    const data = event.data as Record<string, unknown> | null;
    const region =
      registered && typeof data?.['regionCode'] === 'string'
        ? data['regionCode']
        : (last?.region_code ?? null);
    await tx.query(
      `insert into ${this.s}.case_events (case_id, position, event, prev_hash, hash, region_code)
       values ($1, $2, $3, $4, $5, $6)`,
      [
        caseId,
        (last?.position ?? 0) + 1,
        JSON.stringify(event),
        prevHash,
        chainHash(prevHash, event),
        region,
      ],
    );
    return 'appended';
  }

  /** The case's stream in canonical order. */
  async events(db: Queryable, caseId: string): Promise<StoredEvent[]> {
    const { rows } = await db.query<Row>(
      `select ${COLUMNS} from ${this.s}.case_events where case_id = $1 order by position`,
      [caseId],
    );
    return rows.map(stored);
  }

  /** The case's region as registered, or undefined when audit has no such case. */
  async regionOf(caseId: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ region_code: string | null }>(
      `select region_code from ${this.s}.case_events where case_id = $1 and region_code is not null
       order by position limit 1`,
      [caseId],
    );
    return rows[0]?.region_code ?? undefined;
  }

  /**
   * One page of the log in recording order, after `afterSeq`, optionally for a period of
   * recording and a territory (region prefixes; empty = everything).
   */
  async page(
    db: Queryable,
    afterSeq: number,
    limit: number,
    filter: { from?: string; to?: string; regionPrefixes?: readonly string[] } = {},
  ): Promise<StoredEvent[]> {
    const params: unknown[] = [afterSeq, limit];
    const where = ['global_seq > $1'];
    if (filter.from) where.push(`recorded_at >= $${params.push(filter.from)}`);
    if (filter.to) where.push(`recorded_at < $${params.push(filter.to)}`);
    if (filter.regionPrefixes) {
      const likes = filter.regionPrefixes.map((p) => `region_code like $${params.push(`${p}%`)}`);
      where.push(likes.length > 0 ? `(${likes.join(' or ')})` : 'false');
    }
    const { rows } = await db.query<Row>(
      `select ${COLUMNS} from ${this.s}.case_events where ${where.join(' and ')}
       order by global_seq limit $2`,
      params,
    );
    return rows.map(stored);
  }
}
