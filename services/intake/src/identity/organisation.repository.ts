import type { Pool } from 'pg';
import { parentRegionCode, regionTier, type Principal, type Role } from '@casegrid/identity';
import { quoteSchema, type Queryable } from '@casegrid/event-store';

export interface RegionRow {
  readonly code: string;
  readonly name: string;
  readonly tier: string;
  readonly parentCode: string | null;
}
export interface DepartmentRow {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly regionCode: string;
  readonly tier: string;
}
export interface UserRow {
  readonly id: string;
  readonly username: string;
  readonly name: string;
  readonly departmentId: string;
  readonly roles: Role[];
}
/** A user as published (reference data): the row without its credentials. */
export interface UserRecord extends UserRow {
  readonly disabled: boolean;
}
export interface Credentials extends UserRow {
  readonly passwordHash: string | null;
  readonly disabled: boolean;
  readonly regionCode: string;
}
export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

const USER_COLUMNS = `u.id, u.username, u.name, u.department_id as "departmentId", u.roles`;
const DEPARTMENT_COLUMNS = `d.id, d.name, d.type, d.region_code as "regionCode"`;

/**
 * Regions, departments and users in intake's schema: plain SQL over the pool, or over the
 * caller's transaction where a write must commit with the event that publishes it.
 */
export class OrganisationRepository {
  private readonly s: string;
  constructor(
    private readonly pool: Pool,
    schema: string,
  ) {
    this.s = quoteSchema(schema);
  }

  async credentials(username: string, db: Queryable = this.pool): Promise<Credentials | undefined> {
    const { rows } = await db.query<Credentials>(
      `select ${USER_COLUMNS}, u.password_hash as "passwordHash", u.disabled, d.region_code as "regionCode"
         from ${this.s}.users u join ${this.s}.departments d on d.id = u.department_id
        where lower(u.username) = lower($1)`,
      [username],
    );
    return rows[0];
  }

  async user(id: string): Promise<UserRow | undefined> {
    const { rows } = await this.pool.query<UserRow>(
      `select ${USER_COLUMNS} from ${this.s}.users u where u.id = $1`,
      [id],
    );
    return rows[0];
  }

  async department(id: string): Promise<DepartmentRow | undefined> {
    const { rows } = await this.pool.query<Omit<DepartmentRow, 'tier'>>(
      `select ${DEPARTMENT_COLUMNS} from ${this.s}.departments d where d.id = $1`,
      [id],
    );
    return rows[0] && withTier(rows[0]);
  }

  async region(code: string): Promise<RegionRow | undefined> {
    const { rows } = await this.pool.query<RegionRow>(
      `select code, name, tier, parent_code as "parentCode" from ${this.s}.regions where code = $1`,
      [code],
    );
    return rows[0];
  }

  /** Keyset pages ordered by the key itself: stable under concurrent inserts. */
  async users(limit: number, after?: string): Promise<Page<UserRow>> {
    return page(
      await this.pool
        .query<UserRow>(
          `select ${USER_COLUMNS} from ${this.s}.users u where ($1::text is null or lower(u.username) > $1)
          order by lower(u.username) limit $2`,
          [after ?? null, limit + 1],
        )
        .then((r) => r.rows),
      limit,
      (u) => u.username.toLowerCase(),
    );
  }

  async departments(
    limit: number,
    after?: string,
    regionCode?: string,
  ): Promise<Page<DepartmentRow>> {
    const { rows } = await this.pool.query<Omit<DepartmentRow, 'tier'>>(
      `select ${DEPARTMENT_COLUMNS} from ${this.s}.departments d
        where ($1::uuid is null or d.id > $1) and ($2::text is null or d.region_code = $2)
        order by d.id limit $3`,
      [after ?? null, regionCode ?? null, limit + 1],
    );
    return page(rows.map(withTier), limit, (d) => d.id);
  }

  async regions(limit: number, after?: string, parentCode?: string): Promise<Page<RegionRow>> {
    const { rows } = await this.pool.query<RegionRow>(
      `select code, name, tier, parent_code as "parentCode" from ${this.s}.regions
        where ($1::text is null or code > $1) and ($2::text is null or parent_code = $2)
        order by code limit $3`,
      [after ?? null, parentCode ?? null, limit + 1],
    );
    return page(rows, limit, (r) => r.code);
  }

  /*
   * The writes below take the caller's transaction (`db`) so that the row and the event
   * that publishes it (ReferencePublisher) commit together, and return the record as
   * stored — what is published — or `undefined` when nothing was written.
   */

  /** The parent must exist already (the tree grows from the top); undefined when the code is taken. */
  async addRegion(
    code: string,
    name: string,
    db: Queryable = this.pool,
  ): Promise<RegionRow | undefined> {
    const { rows } = await db.query<RegionRow>(
      `insert into ${this.s}.regions (code, name, tier, parent_code)
       values ($1, $2, $3, (select code from ${this.s}.regions where code = $4))
       on conflict (code) do nothing
       returning code, name, tier, parent_code as "parentCode"`,
      [code, name, regionTier(code), parentRegionCode(code) ?? null],
    );
    return rows[0];
  }

  /** Undefined when the id exists. */
  async addDepartment(
    department: Omit<DepartmentRow, 'tier'>,
    db: Queryable = this.pool,
  ): Promise<DepartmentRow | undefined> {
    const { rows } = await db.query<Omit<DepartmentRow, 'tier'>>(
      `insert into ${this.s}.departments (id, name, type, region_code) values ($1, $2, $3, $4)
       on conflict (id) do nothing
       returning id, name, type, region_code as "regionCode"`,
      [department.id, department.name, department.type, department.regionCode],
    );
    return rows[0] && withTier(rows[0]);
  }

  /**
   * Undefined when the username is taken (case-insensitively). The record returned has no
   * password hash: it is what other services may learn of the user.
   */
  async addUser(
    user: UserRow,
    passwordHash: string | null,
    db: Queryable = this.pool,
  ): Promise<UserRecord | undefined> {
    const { rows } = await db.query<UserRecord>(
      `insert into ${this.s}.users (id, username, name, department_id, roles, password_hash)
       values ($1, $2, $3, $4, $5, $6) on conflict do nothing
       returning id, username, name, department_id as "departmentId", roles, disabled`,
      [user.id, user.username, user.name, user.departmentId, user.roles, passwordHash],
    );
    return rows[0];
  }

  async setPasswordHash(userId: string, passwordHash: string): Promise<void> {
    await this.pool.query(
      `update ${this.s}.users set password_hash = $2, updated_at = now() where id = $1`,
      [userId, passwordHash],
    );
  }

  /** Whether the user belongs to the department and holds one of the roles. */
  async isMember(userId: string, departmentId: string, roles: readonly Role[]): Promise<boolean> {
    const { rows } = await this.pool.query(
      `select 1 from ${this.s}.users where id = $1 and department_id = $2 and roles && $3::text[] and not disabled`,
      [userId, departmentId, roles],
    );
    return rows.length > 0;
  }

  /** Departments of a type at exactly this region, oldest first (a deterministic pick). */
  async departmentsAt(regionCode: string, type: string): Promise<DepartmentRow[]> {
    const { rows } = await this.pool.query<Omit<DepartmentRow, 'tier'>>(
      `select ${DEPARTMENT_COLUMNS} from ${this.s}.departments d where d.region_code = $1 and d.type = $2 order by d.id`,
      [regionCode, type],
    );
    return rows.map(withTier);
  }

  /** Every department at the region or one of its ancestors: what the routing engine may pick. */
  async departmentsCovering(
    regionCode: string,
    db: Queryable = this.pool,
  ): Promise<DepartmentRow[]> {
    const chain: string[] = [];
    for (let code: string | undefined = regionCode; code; code = parentRegionCode(code))
      chain.push(code);
    const { rows } = await db.query<Omit<DepartmentRow, 'tier'>>(
      `select ${DEPARTMENT_COLUMNS} from ${this.s}.departments d where d.region_code = any($1::text[]) order by d.id`,
      [chain],
    );
    return rows.map(withTier);
  }

  async isEmpty(db: Queryable = this.pool): Promise<boolean> {
    const { rows } = await db.query(`select 1 from ${this.s}.regions limit 1`);
    return rows.length === 0;
  }
}

const withTier = (d: Omit<DepartmentRow, 'tier'>): DepartmentRow => ({
  ...d,
  tier: regionTier(d.regionCode) ?? 'unknown',
});

function page<T>(rows: T[], limit: number, key: (item: T) => string): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(key(last)) : null };
}

export const encodeCursor = (key: string): string => Buffer.from(key, 'utf8').toString('base64url');
export const decodeCursor = (cursor: string | undefined): string | undefined =>
  cursor === undefined ? undefined : Buffer.from(cursor, 'base64url').toString('utf8');

export const principalOf = (user: Credentials): Principal => ({
  userId: user.id,
  username: user.username,
  name: user.name,
  roles: user.roles,
  departmentId: user.departmentId,
  regionCode: user.regionCode,
});
