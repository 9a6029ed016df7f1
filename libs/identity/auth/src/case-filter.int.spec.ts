import fc from 'fast-check';
import type { Pool } from 'pg';
import {
  authorizeCase,
  caseVisibility,
  ROLES,
  type CaseScope,
  type Principal,
} from '@casegrid/identity';
import { createTestPool, dropSchemas, freshSchemaName } from '@casegrid/testing';
import { caseFilterSql } from './access';

/**
 * Lists are filtered in the query (issue 3): the SQL built from `caseVisibility` must
 * select exactly the cases `authorizeCase` lets the caller read, on a real table.
 */
const REGIONS = [
  '370102001001',
  '370102001002',
  '370102001001004',
  '370102002001',
  '370103001001',
  '370202001001',
];
const DEPARTMENTS = [
  '0193a000-0000-7000-8000-000000000001',
  '0193a000-0000-7000-8000-000000000002',
  '0193a000-0000-7000-8000-000000000003',
];

describe('caseFilterSql', () => {
  let pool: Pool;
  const schema = freshSchemaName('case_filter');
  const cases: (CaseScope & { id: number })[] = [];

  beforeAll(async () => {
    pool = createTestPool();
    await pool.query(`create schema ${schema}`);
    await pool.query(
      `create table ${schema}.ledger (id int primary key, region_code text not null, lead uuid, co uuid[] not null)`,
    );
    let id = 0;
    for (const regionCode of REGIONS) {
      for (const lead of [undefined, ...DEPARTMENTS]) {
        for (const co of [[], [DEPARTMENTS[1]!], [DEPARTMENTS[0]!, DEPARTMENTS[2]!]]) {
          id += 1;
          cases.push({ id, regionCode, leadDepartmentId: lead, coDepartmentIds: co });
          await pool.query(`insert into ${schema}.ledger values ($1, $2, $3, $4)`, [
            id,
            regionCode,
            lead ?? null,
            co,
          ]);
        }
      }
    }
  });
  afterAll(async () => {
    await dropSchemas(pool, [schema]);
    await pool.end();
  });

  it('selects exactly the cases the policy lets the caller read', async () => {
    const principal = fc.record({
      roles: fc.subarray([...ROLES]),
      regionCode: fc.constantFrom(
        '370102001000',
        '370102000000',
        '370100000000',
        '370102001001',
        '370000000000',
      ),
      departmentId: fc.constantFrom(...DEPARTMENTS),
    });
    await fc.assert(
      fc.asyncProperty(principal, async (p) => {
        const caller: Principal = { userId: 'u', username: 'u', name: 'u', ...p };
        const where = caseFilterSql(caseVisibility(caller), {
          region: 'region_code',
          lead: 'lead',
          co: 'co',
        });
        const { rows } = await pool.query<{ id: number }>(
          `select id from ${schema}.ledger where ${where.sql} order by id`,
          where.params,
        );
        const expected = cases
          .filter((c) => authorizeCase(caller, 'case.read', c).allowed)
          .map((c) => c.id);
        expect(rows.map((r) => r.id)).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });
});
