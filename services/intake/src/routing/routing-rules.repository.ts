import type { Pool, PoolClient } from 'pg';
import {
  quoteSchema,
  runIdempotent,
  type IdempotentRequest,
  type Queryable,
} from '@casegrid/event-store';
import type { RoutingRule } from '@casegrid/intake';
import { ConcurrencyError, NotFoundError } from '@casegrid/kernel';
import type { ReferenceContext, ReferencePublisher } from '@casegrid/runtime';
import { encodeCursor, type Page } from '../identity/organisation.repository';
import { assertNoTie } from './routing-rules.ties';

/** A rule as administered: the engine's rule, the administrator's note and its version. */
export interface RoutingRuleRecord extends RoutingRule {
  readonly note: string | null;
  readonly version: number;
}

/** What an administrator writes: everything but the id, which the table assigns or keeps. */
export type RoutingRuleFields = Omit<RoutingRule, 'id'>;

const RULE_COLUMNS = `id, category, region_code as "regionCode", kind, severity,
  lead_department_type as "leadDepartmentType", co_department_types as "coDepartmentTypes", tier`;
const RECORD_COLUMNS = `${RULE_COLUMNS}, note, version`;
const INSERT_COLUMNS = `id, category, region_code, kind, severity, lead_department_type,
  co_department_types, tier, note`;

/** Advisory lock key: one per schema, held by every transaction that checks ties and writes. */
const lockKey = (schema: string): string => `casegrid:routing-rules:${schema}`;

/**
 * The routing table in intake's schema: plain SQL over the pool. Every write publishes the
 * rule as it now stands (`RoutingRuleChanged` on `casegrid.reference`) in its own
 * transaction, under the table's lock.
 */
export class RoutingRulesRepository {
  private readonly s: string;
  private readonly lock: string;
  constructor(
    private readonly pool: Pool,
    private readonly schema: string,
    private readonly publisher: ReferencePublisher,
  ) {
    this.s = quoteSchema(schema);
    this.lock = lockKey(schema);
  }

  /** Every rule, as the engine routes with them; pass a transaction's client to read in it. */
  async all(db: Queryable = this.pool): Promise<RoutingRule[]> {
    const { rows } = await db.query<RoutingRule>(
      `select ${RULE_COLUMNS} from ${this.s}.routing_rules order by id`,
    );
    return rows;
  }

  /** Keyset pages in id order (UUIDv7: creation order), stable under concurrent inserts. */
  async page(limit: number, after?: string): Promise<Page<RoutingRuleRecord>> {
    const { rows } = await this.pool.query<RoutingRuleRecord>(
      `select ${RECORD_COLUMNS} from ${this.s}.routing_rules
        where ($1::uuid is null or id > $1) order by id limit $2`,
      [after ?? null, limit + 1],
    );
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
  }

  async get(id: string, db: Queryable = this.pool): Promise<RoutingRuleRecord | undefined> {
    const { rows } = await db.query<RoutingRuleRecord>(
      `select ${RECORD_COLUMNS} from ${this.s}.routing_rules where id = $1`,
      [id],
    );
    return rows[0];
  }

  /**
   * Adds a rule unless it ties with one already in the table (`IllegalStateError`). With an
   * Idempotency-Key its record commits in the same transaction, and a retry gets the
   * first answer instead of a tie with the rule it created.
   */
  async insert(
    rule: RoutingRule,
    note: string | null,
    by: ReferenceContext,
    idempotency?: IdempotentRequest,
  ): Promise<RoutingRuleRecord> {
    const work = (client: PoolClient) =>
      this.locked(client, async () => {
        assertNoTie(rule, await this.all(client));
        const { rows } = await client.query<RoutingRuleRecord>(
          `insert into ${this.s}.routing_rules (${INSERT_COLUMNS})
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning ${RECORD_COLUMNS}`,
          [...values(rule), note],
        );
        return this.published(client, first(rows), by);
      });
    if (idempotency?.key === undefined) return this.publisher.transaction(work);
    const outcome = await runIdempotent(this.pool, this.schema, idempotency, async (client) => ({
      status: 201,
      body: await work(client),
    }));
    this.publisher.wake();
    return outcome.body;
  }

  /**
   * Replaces a rule's criteria, target and note, and bumps its version. `NotFoundError` for
   * an unknown id, `ConcurrencyError` when `expectedVersion` is given and stale,
   * `IllegalStateError` when the new criteria tie with another rule.
   */
  async replace(
    id: string,
    fields: RoutingRuleFields,
    note: string | null,
    by: ReferenceContext,
    expectedVersion?: number,
  ): Promise<RoutingRuleRecord> {
    return this.publisher.transaction((client) =>
      this.locked(client, async () => {
        const current = await this.get(id, client);
        if (current === undefined) throw new NotFoundError(`routing rule ${id} not found`);
        if (expectedVersion !== undefined && expectedVersion !== current.version) {
          throw new ConcurrencyError(`routing-rule-${id}`, expectedVersion, current.version);
        }
        const rule: RoutingRule = { ...fields, id };
        assertNoTie(
          rule,
          (await this.all(client)).filter((r) => r.id !== id),
        );
        const { rows } = await client.query<RoutingRuleRecord>(
          `update ${this.s}.routing_rules
            set category = $2, region_code = $3, kind = $4, severity = $5,
                lead_department_type = $6, co_department_types = $7, tier = $8, note = $9,
                version = version + 1, updated_at = now()
          where id = $1 returning ${RECORD_COLUMNS}`,
          [...values(rule), note],
        );
        return this.published(client, first(rows), by);
      }),
    );
  }

  /**
   * First start: the seed's rules, all or none, only while the table is empty, so an
   * administrator's later edits are never overwritten and instances starting together
   * seed once. True when this call seeded.
   */
  async seedIfEmpty(
    rules: readonly { rule: RoutingRule; note: string | null }[],
    by: ReferenceContext,
  ): Promise<boolean> {
    return this.publisher.transaction((client) =>
      this.locked(client, async () => {
        const { rows } = await client.query(`select 1 from ${this.s}.routing_rules limit 1`);
        if (rows.length > 0) return false;
        for (const { rule, note } of rules) {
          const inserted = await client.query<RoutingRuleRecord>(
            `insert into ${this.s}.routing_rules (${INSERT_COLUMNS})
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning ${RECORD_COLUMNS}`,
            [...values(rule), note],
          );
          await this.published(client, first(inserted.rows), by);
        }
        return true;
      }),
    );
  }

  /** Appends the rule as stored, in the transaction that stored it, and returns it. */
  private async published(
    client: PoolClient,
    record: RoutingRuleRecord,
    by: ReferenceContext,
  ): Promise<RoutingRuleRecord> {
    await this.publisher.publish(client, { kind: 'routing_rule', record }, by);
    return record;
  }

  /**
   * Takes the routing table's advisory lock for the rest of the client's transaction, then
   * runs `work`. A tie is a property of the whole table, which no row lock covers: without
   * the lock, two administrators saving tying rules at once would each check a table
   * without the other's rule, and both would commit. With every check-and-write serialised,
   * the second waits here until the first commits, and its checks (READ COMMITTED: a fresh
   * snapshot per statement) then see the first's rule. Reads (routing) take no lock.
   */
  private async locked<T>(client: PoolClient, work: () => Promise<T>): Promise<T> {
    await client.query('select pg_advisory_xact_lock(hashtext($1))', [this.lock]);
    return work();
  }
}

/** `returning` always yields the row written. */
function first<T>(rows: readonly T[]): T {
  const row = rows[0];
  if (row === undefined) throw new Error('the write returned no row');
  return row;
}

const values = (rule: RoutingRule): unknown[] => [
  rule.id,
  rule.category,
  rule.regionCode,
  rule.kind,
  rule.severity,
  rule.leadDepartmentType,
  rule.coDepartmentTypes,
  rule.tier,
];
