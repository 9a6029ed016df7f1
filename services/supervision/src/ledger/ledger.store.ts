import type { PoolClient } from 'pg';
import { CASE_EVENTS_TOPIC } from '@casegrid/contracts';
import { quoteSchema, type Queryable } from '@casegrid/event-store';
import { uuidv7, type MessageContext } from '@casegrid/kernel';
import {
  lightOf,
  nextFireAt,
  type LedgerCase,
  type Settled,
  type SupervisionEvent,
} from '@casegrid/supervision';
import type { ServiceRuntime } from '@casegrid/runtime';
import { STATS_COLUMNS, statsValues } from './ledger-stats.columns';

/** Lock namespace of supervision's per-case advisory locks (any constant; ours). */
const CASE_LOCK = 0x5e9;

/**
 * The ledger rows and supervision's own stream of each case, written together.
 *
 * Every writer of a case — the consumer of case events, the deadline scheduler and the
 * HTTP commands — works in one transaction: take the case's advisory lock, read the
 * ledger row, decide, append supervision's events (with the outbox rows, expected
 * version = the row's), write the row, its timer and its notices, commit. The lock is an
 * advisory lock on purpose: it takes no transaction id, so the append stays the
 * transaction's first write and the event store's read order follows the lock order
 * (ADR 0001). The expected version turns any writer that got past the lock without
 * holding it into a conflict instead of a double effect.
 */
export class LedgerStore {
  readonly schema: string;
  private readonly s: string;

  constructor(readonly runtime: ServiceRuntime) {
    // The event store's schema: the service's own in production, a bench's in `npm run bench`.
    this.schema = runtime.store.schema;
    this.s = quoteSchema(this.schema);
  }

  async lock(tx: PoolClient, caseId: string): Promise<void> {
    await tx.query('select pg_advisory_xact_lock($1, hashtext($2))', [CASE_LOCK, caseId]);
  }

  /** The lock if free now; another instance holding it is working on the case. */
  async tryLock(tx: PoolClient, caseId: string): Promise<boolean> {
    const { rows } = await tx.query<{ locked: boolean }>(
      'select pg_try_advisory_xact_lock($1, hashtext($2)) as locked',
      [CASE_LOCK, caseId],
    );
    return rows[0]?.locked === true;
  }

  async load(db: Queryable, caseId: string): Promise<LedgerCase | null> {
    const { rows } = await db.query<{ state: LedgerCase }>(
      `select state from ${this.s}.ledger where case_id = $1`,
      [caseId],
    );
    return rows[0]?.state ?? null;
  }

  /**
   * Appends what was decided and writes the ledger row, in the caller's transaction.
   * `events` empty still writes the row: another service's event changed the view.
   */
  async record(
    tx: PoolClient,
    before: LedgerCase | null,
    settled: Settled,
    context: MessageContext & { readonly now: Date },
  ): Promise<number> {
    let version = before?.version ?? 0;
    if (settled.events.length > 0) {
      const result = await this.runtime.store.appendInTransaction(tx, {
        streamId: settled.state.id,
        expectedVersion: version,
        events: settled.events.map((event) => ({
          id: uuidv7(context.now.getTime()),
          type: event.type,
          data: event.data,
          metadata: {
            actor: context.actor,
            ...(context.department ? { department: context.department } : {}),
            correlationId: context.correlationId,
            ...(context.causationId ? { causationId: context.causationId } : {}),
            occurredAt: context.now.toISOString(),
          },
        })),
        publishTo: CASE_EVENTS_TOPIC,
      });
      version = result.nextVersion;
    }
    await this.save(tx, { ...settled.state, version });
    await this.saveNotices(tx, settled.state, settled.events, context.now);
    return version;
  }

  /** The row, the timer and nothing else: also what a rebuild writes. */
  async save(tx: Queryable, state: LedgerCase): Promise<void> {
    // The statistics columns follow the 19 view columns, as $20 onwards.
    const stats = STATS_COLUMNS.map((c, i) => ({ column: c, param: `$${20 + i}` }));
    await tx.query(
      `insert into ${this.s}.ledger as l (case_id, number, kind, channel, category, title,
         region_code, status, track, lead_department_id, co_department_ids, handler_id, light,
         supervision_level, registered_at, resolved_at, closed_at, version, state,
         ${stats.map((c) => c.column).join(', ')}, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
         ${stats.map((c) => c.param).join(', ')}, now())
       on conflict (case_id) do update set number = excluded.number, status = excluded.status,
         track = excluded.track, lead_department_id = excluded.lead_department_id,
         co_department_ids = excluded.co_department_ids, handler_id = excluded.handler_id,
         light = excluded.light, supervision_level = excluded.supervision_level,
         resolved_at = excluded.resolved_at, closed_at = excluded.closed_at,
         version = excluded.version, state = excluded.state,
         ${stats.map((c) => `${c.column} = excluded.${c.column}`).join(', ')}, updated_at = now()`,
      [
        state.id,
        state.number,
        state.kind,
        state.channel,
        state.category,
        state.title,
        state.regionCode,
        state.status,
        state.track,
        state.leadDepartmentId,
        state.coDepartmentIds,
        state.handlerId,
        lightOf(state),
        state.supervisionLevel,
        state.registeredAt,
        state.resolvedAt,
        state.closedAt,
        state.version,
        JSON.stringify(state),
        ...statsValues(state),
      ],
    );
    const fireAt = nextFireAt(state);
    await (fireAt === null
      ? tx.query(`delete from ${this.s}.case_timers where case_id = $1`, [state.id])
      : tx.query(
          `insert into ${this.s}.case_timers (case_id, fire_at) values ($1, $2)
           on conflict (case_id) do update set fire_at = excluded.fire_at`,
          [state.id, fireAt],
        ));
  }

  private async saveNotices(
    tx: PoolClient,
    state: LedgerCase,
    events: readonly SupervisionEvent[],
    now: Date,
  ): Promise<void> {
    for (const event of events) {
      if (event.type !== 'NoticeIssued') continue;
      const d = event.data;
      await tx.query(
        `insert into ${this.s}.notices (notice_id, case_id, case_number, region_code,
           case_region_code, department_id, obligations, text, issued_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict do nothing`,
        [
          d.noticeId,
          d.caseId,
          state.number,
          d.regionCode,
          state.regionCode,
          d.departmentId,
          d.obligations,
          d.text,
          now,
        ],
      );
    }
  }
}
