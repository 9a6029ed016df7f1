import { Inject, Injectable } from '@nestjs/common';
import { quoteSchema } from '@casegrid/event-store';
import type { Principal } from '@casegrid/identity';
import { regionPrefixParam, ScopedQuery } from './scoped-query';
import { serviceRuntime, type ServiceRuntime } from '@casegrid/runtime';

export interface NoticeQuery {
  readonly regionCode?: string;
  readonly from?: string;
  readonly to?: string;
}

/** 通报 issued at the top of the escalation ladder, seen by whoever may see their case. */
@Injectable()
export class NoticesQueries {
  private readonly s: string;

  constructor(@Inject(serviceRuntime('supervision')) private readonly runtime: ServiceRuntime) {
    this.s = quoteSchema(runtime.service);
  }

  async list(caller: Principal, query: NoticeQuery) {
    const scope = new ScopedQuery(caller, {
      region: 'case_region_code',
      lead: 'department_id',
      co: 'array[department_id]',
    });
    if (query.regionCode) {
      scope.and(`case_region_code like ${scope.param(`${regionPrefixParam(query.regionCode)}%`)}`);
    }
    if (query.from) scope.and(`issued_at >= ${scope.param(query.from)}`);
    if (query.to) scope.and(`issued_at < ${scope.param(query.to)}`);
    const { rows } = await this.runtime.db.pool.query<{
      notice_id: string;
      case_id: string;
      case_number: string;
      region_code: string;
      case_region_code: string;
      department_id: string | null;
      obligations: string[];
      text: string;
      issued_at: Date;
    }>(
      `select * from ${this.s}.notices where ${scope.where} order by issued_at desc, notice_id desc limit 500`,
      scope.params,
    );
    return {
      items: rows.map((r) => ({
        id: r.notice_id,
        caseId: r.case_id,
        caseNumber: r.case_number,
        regionCode: r.region_code,
        caseRegionCode: r.case_region_code,
        departmentId: r.department_id,
        obligations: r.obligations,
        text: r.text,
        issuedAt: r.issued_at.toISOString(),
      })),
      nextCursor: null,
    };
  }
}
