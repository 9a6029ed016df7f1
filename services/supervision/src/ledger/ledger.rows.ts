import { quoteSchema, type Queryable } from '@casegrid/event-store';
import { lightOf, nextFireAt, type LedgerCase } from '@casegrid/supervision';
import { STATS_COLUMNS, statsValues } from './ledger-stats.columns';

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

/**
 * Writes a case's ledger row with its timer, and notices: the one piece of code behind
 * both the live consumer (`LedgerStore.save`) and a rebuild from the log, so that the two
 * cannot write different rows for the same fold.
 */
export class LedgerRows {
  private readonly ledger: string;
  private readonly timers: string;
  private readonly notices: string;

  constructor(schema: string, tables: LedgerTables = LIVE_TABLES) {
    const s = quoteSchema(schema);
    this.ledger = `${s}.${tables.ledger}`;
    this.timers = `${s}.${tables.timers}`;
    this.notices = `${s}.${tables.notices}`;
  }

  async save(tx: Queryable, state: LedgerCase): Promise<void> {
    // The statistics columns follow the 19 view columns, as $20 onwards.
    const stats = STATS_COLUMNS.map((c, i) => ({ column: c, param: `$${20 + i}` }));
    await tx.query(
      `insert into ${this.ledger} as l (case_id, number, kind, channel, category, title,
         region_code, status, track, lead_department_id, co_department_ids, handler_id, light,
         supervision_level, registered_at, resolved_at, closed_at, version, state,
         ${stats.map((c) => c.column).join(', ')}, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
         ${stats.map((c) => c.param).join(', ')}, now())
       on conflict (case_id) do update set number = excluded.number, status = excluded.status,
         track = excluded.track, lead_department_id = excluded.lead_department_id,
         co_department_ids = excluded.co_department_ids, handler_id = excluded.handler_id,
         light = excluded.light, supervision_level = excluded.supervision_level,
         resolved_at = excluded.resolved_at, closed_at = excluded.closed_at,
         version = excluded.version, state = excluded.state,
         ${stats.map((c) => `${c.column} = excluded.${c.column}`).join(', ')}, updated_at = now()`,
      [
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
        JSON.stringify(state),
        ...statsValues(state),
      ],
    );
    const fireAt = nextFireAt(state);
    await (fireAt === null
      ? tx.query(`delete from ${this.timers} where case_id = $1`, [state.id])
      : tx.query(
          `insert into ${this.timers} (case_id, fire_at) values ($1, $2)
           on conflict (case_id) do update set fire_at = excluded.fire_at`,
          [state.id, fireAt],
        ));
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
