import { Inject, Injectable } from '@nestjs/common';
import { quoteSchema } from '@casegrid/event-store';
import type { Principal } from '@casegrid/identity';
import { regionPrefixParam, ScopedQuery } from '../ledger/scoped-query';
import { CATEGORIES } from '@casegrid/intake';
import { ValidationError } from '@casegrid/kernel';
import { CASEGRID_CLOCK, CASEGRID_CONFIG, type CasegridClock } from '@casegrid/platform';
import type { CasegridConfig } from '@casegrid/platform';
import {
  referenceReader,
  serviceRuntime,
  type ReferenceReader,
  type ServiceRuntime,
} from '@casegrid/runtime';
import {
  statsPeriod,
  statsRates,
  type StatsCounts,
  type StatsSettings,
} from '@casegrid/supervision';
import type { StatsGroup, StatsQueryDto } from './stats.dto';
import { statsDefinitions } from './stats.definitions';

/** The prefix length of the tier one below a prefix of this length (a grid has none). */
const CHILD_PREFIX: Readonly<Record<number, number>> = { 2: 4, 4: 6, 6: 9, 9: 12, 12: 15, 15: 15 };
const COUNTY_PREFIX = 6;

/** The counts, each summed in the one aggregate (column alias = field name). */
const COUNTS = {
  registered: 'count(*)',
  dispatched: 'count(*) filter (where dispatched)',
  accepted: 'count(*) filter (where accepted)',
  resolved: `count(*) filter (where outcome_status = 'resolved')`,
  referred: `count(*) filter (where outcome_status = 'referred')`,
  terminated: `count(*) filter (where outcome_status = 'terminated')`,
  closed: `count(*) filter (where status = 'closed')`,
  reopened: 'count(*) filter (where reopen_count > 0)',
  overdue: 'count(*) filter (where clocks_breached > 0)',
  followedUp: 'count(*) filter (where follow_up_count > 0)',
  responded: 'count(*) filter (where follow_up_count > 0 and responded_on_time)',
  solved: `count(*) filter (where follow_up_satisfaction in ('satisfied', 'basically_satisfied') and reopen_count = 0)`,
  satisfied: `count(*) filter (where follow_up_satisfaction = 'satisfied')`,
  basicallySatisfied: `count(*) filter (where follow_up_satisfaction = 'basically_satisfied')`,
  unsatisfied: `count(*) filter (where follow_up_satisfaction = 'unsatisfied')`,
  clocksEnded: 'coalesce(sum(clocks_ended), 0)',
  clocksMetOnTime: 'coalesce(sum(clocks_met_on_time), 0)',
  repeated: 'count(*) filter (where submission_count > 1)',
} as const;
type Counts = StatsCounts & { readonly [K in keyof typeof COUNTS]: number };

/** The group key of a row, as SQL over the ledger's columns. */
function keySql(groupBy: StatsGroup, prefix: string | undefined): string {
  switch (groupBy) {
    case 'department':
      return 'lead_department_id::text';
    case 'category':
      return 'category';
    case 'month':
      return `to_char(registered_at at time zone interval '+08:00', 'YYYY-MM')`;
    case 'region': {
      const length = prefix === undefined ? COUNTY_PREFIX : CHILD_PREFIX[prefix.length]!;
      return length > 12
        ? `left(region_code, ${length})`
        : `rpad(left(region_code, ${length}), 12, '0')`;
    }
  }
}

/**
 * Statistics of the ledger (API.md `GET /stats`; docs/statistics.md): the cases registered
 * in a period, within the caller's jurisdiction (the one access policy's `caseFilterSql`,
 * in the query), counted and rated per group in one GROUP BY over the ledger's statistics
 * columns, with the total of all groups as one more grouping set of the same scan.
 */
@Injectable()
export class StatsQueries {
  private readonly s: string;
  private readonly settings: StatsSettings;

  constructor(
    @Inject(serviceRuntime('supervision')) private readonly runtime: ServiceRuntime,
    @Inject(referenceReader('supervision')) private readonly reference: ReferenceReader,
    @Inject(CASEGRID_CLOCK) private readonly clock: CasegridClock,
    @Inject(CASEGRID_CONFIG) config: CasegridConfig,
  ) {
    this.s = quoteSchema(runtime.service);
    this.settings = config.stats;
  }

  async stats(caller: Principal, query: StatsQueryDto) {
    const groupBy = query.groupBy ?? 'department';
    const prefix = query.regionCode === undefined ? undefined : regionPrefixParam(query.regionCode);
    const period = statsPeriod(
      this.clock.now(),
      query.from === undefined ? undefined : new Date(query.from),
      query.to === undefined ? undefined : new Date(query.to),
    );
    if (period.from >= period.to) {
      throw new ValidationError([{ field: 'to', message: 'must be after from' }]);
    }
    const scope = new ScopedQuery(caller);
    scope
      .and(`registered_at >= ${scope.param(period.from)}`)
      .and(`registered_at < ${scope.param(period.to)}`);
    if (prefix !== undefined) scope.and(`region_code like ${scope.param(`${prefix}%`)}`);
    const sums = Object.entries(COUNTS).map(([field, sql]) => `(${sql})::int as "${field}"`);
    const { rows } = await this.runtime.db.pool.query<
      Counts & { key: string | null; total: boolean }
    >(
      `select key, grouping(key) = 1 as total, ${sums.join(', ')}
       from (select ${keySql(groupBy, prefix)} as key, * from ${this.s}.ledger
             where ${scope.where}) cases
       group by grouping sets ((key), ())
       order by total, key nulls last`,
      scope.params,
    );
    const names = await this.names(groupBy);
    const line = (row: Counts) => {
      const {
        key: _key,
        total: _total,
        ...counts
      } = row as Counts & { key: unknown; total: unknown };
      return { ...counts, ...statsRates(counts, this.settings) };
    };
    const totalRow = rows.find((r) => r.total);
    return {
      groupBy,
      regionCode: query.regionCode ?? null,
      period: { from: period.from.toISOString(), to: period.to.toISOString() },
      items: rows
        .filter((r) => !r.total)
        .map((r) => ({ group: groupOf(groupBy, r.key, names), ...line(r) })),
      total: line(totalRow ?? emptyRow()),
      definitions: statsDefinitions(this.settings),
    };
  }

  private async names(groupBy: StatsGroup): Promise<ReadonlyMap<string, string>> {
    switch (groupBy) {
      case 'department':
        return new Map((await this.reference.list('department')).map((d) => [d.id, d.name]));
      case 'region':
        return new Map((await this.reference.list('region')).map((r) => [r.code, r.name]));
      case 'category':
        return new Map(CATEGORIES.map((c) => [c.code, c.name]));
      case 'month':
        return new Map();
    }
  }
}

function groupOf(groupBy: StatsGroup, key: string | null, names: ReadonlyMap<string, string>) {
  const name = key === null ? null : (names.get(key) ?? null);
  switch (groupBy) {
    case 'department':
      // No lead: registered but not (or no longer) dispatched.
      return { departmentId: key, name };
    case 'category':
      return { category: key, name };
    case 'region':
      return { regionCode: key, name };
    case 'month':
      return { month: key };
  }
}

const emptyRow = (): Counts =>
  Object.fromEntries(Object.keys(COUNTS).map((field) => [field, 0])) as unknown as Counts;
