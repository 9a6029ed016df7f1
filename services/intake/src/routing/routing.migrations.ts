import type { MigrationInterface, QueryRunner } from 'typeorm';
import { quoteSchema, type MigrationClass } from '@casegrid/event-store';

/**
 * The routing table (属地管理: category × territory → the department responsible), read
 * by registration and administered through `/routing-rules`. A null criterion matches
 * anything; `version` makes `If-Match` on a replace possible. No foreign key to regions:
 * a rule names a subtree, checked to exist when it is saved.
 */
export const routingMigrations = (schema: string): MigrationClass[] => {
  const s = quoteSchema(schema);
  class IntakeRoutingRules1763900000003 implements MigrationInterface {
    readonly name = 'IntakeRoutingRules1763900000003';
    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`
        create table ${s}.routing_rules (
          id uuid primary key,
          category text,
          region_code text,
          kind text,
          severity text,
          lead_department_type text not null,
          co_department_types text[] not null default '{}',
          tier text,
          note text,
          version int not null default 1,
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now()
        );`);
    }
    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`drop table ${s}.routing_rules`);
    }
  }
  return [IntakeRoutingRules1763900000003];
};
