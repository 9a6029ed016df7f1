import { quoteSchema, type Queryable } from '@casegrid/event-store';
import { lightOf, nextFireAt, type LedgerCase } from '@casegrid/supervision';
import { STATS_COLUMNS, STATS_COLUMN_TYPES, statsValues } from './ledger-stats.columns';

/** The ledger's tables: the live ones, or a rebuild's fresh copies of them. */
export interface LedgerTables {
  readonly ledger: string;
  readonly timers: string;
  readonly notices: string;
}

export const LIVE_TABLES: LedgerTables = {
  ledger: 'ledger',
  timers: 'case_timers',
  notices: 'notices',
};

export const REBUILD_TABLES: LedgerTables = {
  ledger: 'ledger_rebuild',
  timers: 'case_timers_rebuild',
  notices: 'notices_rebuild',
};

export interface NoticeRow {
  readonly noticeId: string;
  readonly caseId: string;
  readonly regionCode: string;
  readonly departmentId: string | null;
  readonly obligations: readonly string[];
  readonly text: string;
  readonly issuedAt: Date | string;
}

/** The ledger row's view columns with their SQL types, in the order of `viewValues`. */
const VIEW_COLUMNS = [
  ['case_id', 'uuid'],
  ['number', 'text'],
  ['kind', 'text'],
  ['channel', 'text'],
  ['category', 'text'],
  ['title', 'text'],
  ['region_code', 'text'],
  ['status', 'text'],
  ['track', 'text'],
  ['lead_department_id', 'uuid'],
  ['co_department_ids', 'uuid[]'],
  ['handler_id', 'uuid'],
  ['light', 'text'],
  ['supervision_level', 'text'],
  ['registered_at', 'timestamptz'],
  ['resolved_at', 'timestamptz'],
  ['closed_at', 'timestamptz'],
  ['version', 'int'],
  ['state', 'jsonb'],
] as const;

/** Fixed at registration: a later write never changes them. */
const INSERT_ONLY: ReadonlySet<string> = new Set([
  'case_id',
  'kind',
  'channel',
  'category',
  'title',
  'region_code',
  'registered_at',
]);

const viewValues = (state: LedgerCase): unknown[] => [
  state.id,
  state.number,
  state.kind,
  state.channel,
  state.category,
  state.title,
  state.regionCode,
  state.status,
  state.track,
  state.leadDepartmentId,
  state.coDepartmentIds,
  state.handlerId,
  lightOf(state),
  state.supervisionLevel,
  state.registeredAt,
  state.resolvedAt,
  state.closedAt,
  state.version,
  state,
];

/**
 * Writes a case's ledger row with its timer, and notices: the one piece of code behind
 * both the live consumer (`LedgerStore.save`) and a rebuild from the log, so that the two
 * cannot write different rows for the same fold.
 */
export class LedgerRows {
  private readonly ledger: string;
  private readonly timers: string;
  private readonly notices: string;

  private readonly upsertSql: string;
  private readonly timersSql: string;

  constructor(schema: string, tables: LedgerTables = LIVE_TABLES) {
    const s = quoteSchema(schema);
    this.ledger = `${s}.${tables.ledger}`;
    this.timers = `${s}.${tables.timers}`;
    this.notices = `${s}.${tables.notices}`;
    const columns = [
      ...VIEW_COLUMNS,
      ...STATS_COLUMNS.map((c) => [c, STATS_COLUMN_TYPES[c]] as const),
    ];
    const names = columns.map(([c]) => c);
    this.upsertSql = `insert into ${this.ledger} as l (${names.join(', ')}, updated_at)
      select ${names.map((c) => `r.${c}`).join(', ')}, now()
      from jsonb_to_recordset($1::jsonb) as r(${columns.map(([c, t]) => `${c} ${t}`).join(', ')})
      on conflict (case_id) do update set
        ${names
          .filter((c) => !INSERT_ONLY.has(c))
          .map((c) => `${c} = excluded.${c}`)
          .join(', ')}, updated_at = now()`;
    this.timersSql = `with t as (
        select * from jsonb_to_recordset($1::jsonb) as t(case_id uuid, fire_at timestamptz)
      ), cleared as (
        delete from ${this.timers} x using t where x.case_id = t.case_id and t.fire_at is null
      )
      insert into ${this.timers} (case_id, fire_at)
      select case_id, fire_at from t where fire_at is not null
      on conflict (case_id) do update set fire_at = excluded.fire_at`;
  }

  /**
   * The rows and timers of several cases (each once), in two statements whatever their
   * number: the rows as one JSON array read back as a record set, so a batch of cases
   * costs one round trip, not one per case; the timers as one upsert and delete.
   */
  async saveMany(tx: Queryable, states: readonly LedgerCase[]): Promise<void> {
    if (states.length === 0) return;
    const rows = states.map((state) => {
      const row: Record<string, unknown> = {};
      const view = viewValues(state);
      VIEW_COLUMNS.forEach(([column], i) => (row[column] = view[i]));
      const stats = statsValues(state);
      STATS_COLUMNS.forEach((column, i) => (row[column] = stats[i]));
      return row;
    });
    await tx.query(this.upsertSql, [JSON.stringify(rows)]);
    const timers = states.map((state) => ({ case_id: state.id, fire_at: nextFireAt(state) }));
    await tx.query(this.timersSql, [JSON.stringify(timers)]);
  }

  async saveNotice(tx: Queryable, state: LedgerCase, notice: NoticeRow): Promise<void> {
    await tx.query(
      `insert into ${this.notices} (notice_id, case_id, case_number, region_code,
         case_region_code, department_id, obligations, text, issued_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict do nothing`,
      [
        notice.noticeId,
        notice.caseId,
        state.number,
        notice.regionCode,
        state.regionCode,
        notice.departmentId,
        notice.obligations,
        notice.text,
        notice.issuedAt,
      ],
    );
  }
}
