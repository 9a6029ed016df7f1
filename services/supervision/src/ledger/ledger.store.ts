import type { PoolClient } from 'pg';
import { CASE_EVENTS_TOPIC } from '@casegrid/contracts';
import { quoteSchema, type Queryable } from '@casegrid/event-store';
import { uuidv7, type MessageContext } from '@casegrid/kernel';
import { type LedgerCase, type Settled, type SupervisionEvent } from '@casegrid/supervision';
import type { ServiceRuntime } from '@casegrid/runtime';
import { LedgerRows } from './ledger.rows';

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
  private readonly rows: LedgerRows;

  constructor(readonly runtime: ServiceRuntime) {
    // The event store's schema: the service's own in production, a bench's in `npm run bench`.
    this.schema = runtime.store.schema;
    this.s = quoteSchema(this.schema);
    this.rows = new LedgerRows(this.schema);
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

  /** The row, the timer and nothing else: also what a rebuild writes (`LedgerRows`). */
  async save(tx: Queryable, state: LedgerCase): Promise<void> {
    await this.rows.save(tx, state);
  }

  private async saveNotices(
    tx: PoolClient,
    state: LedgerCase,
    events: readonly SupervisionEvent[],
    now: Date,
  ): Promise<void> {
    for (const event of events) {
      if (event.type !== 'NoticeIssued') continue;
      await this.rows.saveNotice(tx, state, { ...event.data, issuedAt: now });
    }
  }
}
