import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { Pool } from 'pg';
import { DEFAULT_DEADLINE_POLICIES, samePolicy, type DeadlinePolicy } from '@casegrid/deadlines';
import { systemActor, type ReferenceContext, type ReferencePublisher } from '@casegrid/runtime';
import { quoteSchema, type MigrationClass, type Queryable } from '@casegrid/event-store';

export const deadlinePolicyMigrations = (schema: string): MigrationClass[] => {
  const s = quoteSchema(schema);
  class IntakeDeadlinePolicies1763900000006 implements MigrationInterface {
    readonly name = 'IntakeDeadlinePolicies1763900000006';
    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`
        create table ${s}.deadline_policies (
          code text not null,
          version int not null,
          policy jsonb not null,
          effective_from timestamptz not null default now(),
          changed_by text not null,
          primary key (code, version)
        );`);
    }
    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`drop table ${s}.deadline_policies`);
    }
  }
  /** How a version was saved: for clocks started after it only, or for the running ones too. */
  class IntakeDeadlinePoliciesApplied1767100000000 implements MigrationInterface {
    readonly name = 'IntakeDeadlinePoliciesApplied1767100000000';
    async up(runner: QueryRunner): Promise<void> {
      await runner.query(
        `alter table ${s}.deadline_policies add column apply_to_running boolean not null default false`,
      );
    }
    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`alter table ${s}.deadline_policies drop column apply_to_running`);
    }
  }
  return [IntakeDeadlinePolicies1763900000006, IntakeDeadlinePoliciesApplied1767100000000];
};

export interface VersionedPolicy extends DeadlinePolicy {
  readonly version: number;
  readonly effectiveFrom: string;
}

/**
 * Deadline policies, versioned: a change never edits a row, it adds the next version,
 * effective from its commit. A clock keeps the version it started under (issue 5), so
 * a change applies to clocks started after it, and an inspector can see which rule held —
 * unless the version is saved with `applyToRunning`: then supervision moves the running
 * clocks of earlier versions onto it (issue 17), each move an event of the case.
 */
export class DeadlinePolicyRepository {
  private readonly table: string;
  constructor(
    private readonly pool: Pool,
    schema: string,
    private readonly publisher: ReferencePublisher,
  ) {
    this.table = `${quoteSchema(schema)}.deadline_policies`;
  }

  async current(db: Queryable = this.pool): Promise<VersionedPolicy[]> {
    const { rows } = await db.query<{
      policy: DeadlinePolicy;
      version: number;
      effective_from: Date;
    }>(
      `select distinct on (code) policy, version, effective_from from ${this.table} order by code, version desc`,
    );
    return rows.map((r) => ({
      ...r.policy,
      version: r.version,
      effectiveFrom: r.effective_from.toISOString(),
    }));
  }

  /**
   * Adds a version for each policy that differs from its current one; unchanged ones stay
   * as they are. One transaction under an advisory lock: two admins saving at once produce
   * consecutive versions, never the same one twice.
   */
  async save(
    policies: readonly DeadlinePolicy[],
    context: ReferenceContext,
    { applyToRunning }: { readonly applyToRunning: boolean } = { applyToRunning: false },
  ): Promise<string[]> {
    // Each new version and its DeadlinePolicyChanged event commit together (casegrid.reference).
    return this.publisher.transaction(async (client) => {
      await client.query(
        "select pg_advisory_xact_lock(hashtextextended('casegrid:deadline-policies', 0))",
      );
      const current = new Map((await this.current(client)).map((p) => [p.code, p]));
      const changed: string[] = [];
      for (const policy of policies) {
        const before = current.get(policy.code);
        if (before && samePolicy(before, policy)) continue;
        await this.insert(client, policy, (before?.version ?? 0) + 1, context, applyToRunning);
        changed.push(policy.code);
      }
      return changed;
    });
  }

  private async insert(
    client: Queryable,
    policy: DeadlinePolicy,
    version: number,
    context: ReferenceContext,
    applyToRunning = false,
  ) {
    const { rows } = await client.query<{ effective_from: Date }>(
      `insert into ${this.table} (code, version, policy, changed_by, apply_to_running)
       values ($1, $2, $3, $4, $5) returning effective_from`,
      [policy.code, version, JSON.stringify(policy), context.actor, applyToRunning],
    );
    // How it was saved travels with the version (supervision queues the running clocks'
    // recount on it); the API's items leave it out, so that a policy read can be saved back.
    const record = {
      ...policy,
      version,
      effectiveFrom: rows[0]!.effective_from.toISOString(),
      applyToRunning,
    };
    await this.publisher.publish(client, { kind: 'deadline_policy', record }, context);
  }

  /** First start: the statutory defaults, only while the table is empty. */
  async seedIfEmpty(): Promise<void> {
    await this.publisher.transaction(async (client) => {
      await client.query(
        "select pg_advisory_xact_lock(hashtextextended('casegrid:deadline-policies', 0))",
      );
      const { rows } = await client.query(`select 1 from ${this.table} limit 1`);
      if (rows.length > 0) return;
      for (const policy of DEFAULT_DEADLINE_POLICIES) {
        await this.insert(client, policy, 1, systemActor('intake'));
      }
    });
  }
}
