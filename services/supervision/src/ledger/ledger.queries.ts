import { Inject, Injectable } from '@nestjs/common';
import { assertCaseAccess } from '@casegrid/auth';
import { quoteSchema } from '@casegrid/event-store';
import type { Principal } from '@casegrid/identity';
import { regionPrefixParam, ScopedQuery } from './scoped-query';
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
    const scope = new ScopedQuery(caller);
    if (query.status) scope.and(`status = ${scope.param(query.status)}`);
    if (query.kind) scope.and(`kind = ${scope.param(query.kind)}`);
    if (query.category) scope.and(`category = ${scope.param(query.category)}`);
    if (query.light) scope.and(`light = ${scope.param(query.light)}`);
    if (query.supervisionLevel)
      scope.and(`supervision_level = ${scope.param(query.supervisionLevel)}`);
    if (query.departmentId) {
      const id = scope.param(query.departmentId);
      scope.and(`(lead_department_id = ${id}::uuid or co_department_ids @> array[${id}::uuid])`);
    }
    if (query.regionCode) {
      scope.and(`region_code like ${scope.param(`${regionPrefixParam(query.regionCode)}%`)}`);
    }
    if (query.q) {
      const like = scope.param(`%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      scope.and(`(title ilike ${like} or number ilike ${like})`);
    }
    if (query.from) scope.and(`registered_at >= ${scope.param(query.from)}`);
    if (query.to) scope.and(`registered_at < ${scope.param(query.to)}`);
    if (query.cursor) {
      const cursor = decodeCursor(query.cursor);
      scope.and(
        `(registered_at, case_id) < (${scope.param(cursor.registeredAt)}::timestamptz, ${scope.param(cursor.caseId)}::uuid)`,
      );
    }
    const { rows } = await this.runtime.db.pool.query<{ state: LedgerCase }>(
      `select state from ${this.s}.ledger where ${scope.where}
       order by registered_at desc, case_id desc limit ${scope.param(limit + 1)}`,
      scope.params,
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
