import { Inject, Injectable } from '@nestjs/common';
import { assertCaseAccess, caseFilterSql } from '@casegrid/auth';
import { quoteSchema } from '@casegrid/event-store';
import { caseVisibility, regionPrefix, type Principal } from '@casegrid/identity';
import { ValidationError } from '@casegrid/kernel';
import { serviceRuntime, type ServiceRuntime } from '@casegrid/runtime';
import { caseView, ledgerLine, scopeOf, type LedgerCase } from '@casegrid/supervision';
import type { LedgerQueryDto } from '../http/supervision.dto';

interface Cursor {
  readonly registeredAt: string;
  readonly caseId: string;
}

const encodeCursor = (c: Cursor): string =>
  Buffer.from(JSON.stringify([c.registeredAt, c.caseId])).toString('base64url');

const decodeCursor = (raw: string): Cursor => {
  try {
    const [registeredAt, caseId] = JSON.parse(Buffer.from(raw, 'base64url').toString()) as [
      unknown,
      unknown,
    ];
    if (
      typeof registeredAt === 'string' &&
      typeof caseId === 'string' &&
      !Number.isNaN(Date.parse(registeredAt))
    ) {
      return { registeredAt, caseId };
    }
  } catch {
    // falls through to the field error
  }
  throw new ValidationError([
    { field: 'cursor', message: 'must be a nextCursor from a previous page' },
  ]);
};

/**
 * The ledger (台账) as its readers see it: scoped to the caller's jurisdiction in the
 * query itself (the one access policy's `caseFilterSql`), newest registration first,
 * cursor-paged on (registered_at, case_id) so a page never repeats or skips a case that
 * was already there when paging began. Eventually consistent with commands.
 */
@Injectable()
export class LedgerQueries {
  private readonly s: string;

  constructor(@Inject(serviceRuntime('supervision')) private readonly runtime: ServiceRuntime) {
    this.s = quoteSchema(runtime.service);
  }

  async get(caller: Principal, caseId: string) {
    const state = await this.load(caseId);
    assertCaseAccess(caller, 'case.read', caseId, scopeOf(state));
    return caseView(state!);
  }

  async load(caseId: string): Promise<LedgerCase | null> {
    const { rows } = await this.runtime.db.pool.query<{ state: LedgerCase }>(
      `select state from ${this.s}.ledger where case_id = $1`,
      [caseId],
    );
    return rows[0]?.state ?? null;
  }

  async list(caller: Principal, query: LedgerQueryDto) {
    const limit = query.limit ?? 50;
    const params: unknown[] = [];
    const p = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const visibility = caseFilterSql(
      caseVisibility(caller),
      { region: 'region_code', lead: 'lead_department_id', co: 'co_department_ids' },
      1,
    );
    params.push(...visibility.params);
    const where = [visibility.sql];
    if (query.status) where.push(`status = ${p(query.status)}`);
    if (query.kind) where.push(`kind = ${p(query.kind)}`);
    if (query.category) where.push(`category = ${p(query.category)}`);
    if (query.light) where.push(`light = ${p(query.light)}`);
    if (query.supervisionLevel) where.push(`supervision_level = ${p(query.supervisionLevel)}`);
    if (query.departmentId) {
      const id = p(query.departmentId);
      where.push(`(lead_department_id = ${id}::uuid or co_department_ids @> array[${id}::uuid])`);
    }
    if (query.regionCode) {
      let prefix: string;
      try {
        prefix = regionPrefix(query.regionCode);
      } catch {
        throw new ValidationError([{ field: 'regionCode', message: 'is not a region code' }]);
      }
      where.push(`region_code like ${p(`${prefix}%`)}`);
    }
    if (query.q) {
      const like = p(`%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where.push(`(title ilike ${like} or number ilike ${like})`);
    }
    if (query.from) where.push(`registered_at >= ${p(query.from)}`);
    if (query.to) where.push(`registered_at < ${p(query.to)}`);
    if (query.cursor) {
      const cursor = decodeCursor(query.cursor);
      where.push(
        `(registered_at, case_id) < (${p(cursor.registeredAt)}::timestamptz, ${p(cursor.caseId)}::uuid)`,
      );
    }
    const { rows } = await this.runtime.db.pool.query<{ state: LedgerCase }>(
      `select state from ${this.s}.ledger where ${where.join(' and ')}
       order by registered_at desc, case_id desc limit ${p(limit + 1)}`,
      params,
    );
    const page = rows.slice(0, limit).map((r) => r.state);
    const last = page[page.length - 1];
    return {
      items: page.map(ledgerLine),
      nextCursor:
        rows.length > limit && last
          ? encodeCursor({ registeredAt: last.registeredAt, caseId: last.id })
          : null,
    };
  }
}
