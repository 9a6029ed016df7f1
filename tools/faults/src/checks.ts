import { performance } from 'node:perf_hooks';
import { Pool } from 'pg';
import type { CasegridClient } from './http-client';
import type { Ack } from './load';
import {
  findProblems,
  group,
  type AuditRow,
  type StoredEvent,
  type SupervisionEvent,
} from './invariants';

export type Database = 'intake' | 'mediation' | 'petition' | 'supervision' | 'audit';

/** What every check found wrong, each problem in a line an operator can follow up. */
export interface Verdict {
  readonly cases: number;
  readonly acked: number;
  /** An acknowledged command whose effect is not in its store or has not reached a consumer. */
  readonly missing: string[];
  /** An effect recorded more than once: a case, an event, a clock, an audit entry. */
  readonly duplicated: string[];
  /** A stream with a gap or a reordering, in a store or in audit's copy. */
  readonly orderViolations: string[];
  /** Cases whose audit chain `/verify` found valid, of those checked. */
  readonly chainsValid: number;
  readonly chainsChecked: number;
  readonly invalidChains: string[];
  /** A breach, or a clock met late, though no clock of the run could be due yet. */
  readonly falseBreaches: string[];
}

export const INSPECTOR = 'inspector.jinan';

/**
 * The invariants of a fault run, read from the system's own tables and audit's `/verify`:
 * every acknowledged command is there exactly once and has reached every consumer, no
 * effect is doubled, every case's streams are in order, every chain verifies, and no clock
 * was breached (none of the run can be due: the shortest clock runs to the end of the next
 * working day).
 */
export class Checker {
  private readonly pools = new Map<string, Pool>();
  /** Per case: how many events its last `/verify` covered, and what was wrong, if anything. */
  private readonly verified = new Map<string, { events: number; problem?: string }>();
  /** Per case: audit's rows at the last inspection. */
  private auditCounts = new Map<string, number>();

  constructor(
    private readonly databases: Readonly<Record<Database, string>>,
    private readonly client: CasegridClient,
  ) {}

  private pool(db: Database): Pool {
    const url = this.databases[db];
    let pool = this.pools.get(url);
    if (!pool) {
      pool = new Pool({ connectionString: url, max: 2 });
      // A restart of the server under test ends these connections too; the next query reconnects.
      pool.on('error', () => undefined);
      this.pools.set(url, pool);
    }
    return pool;
  }

  private async rows<T extends object>(db: Database, sql: string): Promise<T[]> {
    return (await this.pool(db).query<T>(sql)).rows;
  }

  /**
   * Several reads of one database as of one moment (a repeatable-read transaction): the
   * ledger compared with supervision's own stream must not see a reaction the stream's
   * read, a statement earlier, did not.
   */
  private async snapshot<T extends unknown[]>(db: Database, ...sqls: string[]): Promise<T> {
    const client = await this.pool(db).connect();
    try {
      await client.query('begin isolation level repeatable read read only');
      const out: unknown[] = [];
      for (const sql of sqls) out.push((await client.query(sql)).rows);
      await client.query('commit');
      return out as T;
    } finally {
      client.release();
    }
  }

  /**
   * Waits until nothing acknowledged is still on its way to a consumer, for as long as the
   * consumers make progress (what is missing shrinks) and for `stallMs` at most without
   * any, then checks everything, audit chains included: what is still missing then is
   * missing. A backlog that drains is late, not lost.
   */
  async settle(
    acks: readonly Ack[],
    stallMs: number,
    /** Called with `performance.now()` of the inspection that found nothing missing. */
    onSettled?: (at: number) => void,
  ): Promise<Verdict> {
    let verdict = await this.inspect(acks).catch(() => undefined);
    let fewest = verdict?.missing.length ?? Number.POSITIVE_INFINITY;
    let progressAt = Date.now();
    while (!verdict || (verdict.missing.length > 0 && Date.now() - progressAt < stallMs)) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      verdict = await this.inspect(acks).catch(() => undefined);
      if (verdict && verdict.missing.length < fewest) {
        fewest = verdict.missing.length;
        progressAt = Date.now();
      }
    }
    if (verdict.missing.length === 0) onSettled?.(performance.now());
    return this.verifyChains(verdict, acks);
  }

  /** Every check but the chains, from one read of each table. */
  async inspect(acks: readonly Ack[]): Promise<Verdict> {
    const [intake, mediation, [supervision, ledger], mediationCases, petitionCases, audit] =
      await Promise.all([
        this.rows<StoredEvent & { title: string | null }>(
          'intake',
          `select e.stream_id, e.event_id::text as id, e.event_type as type, e.stream_position as pos,
             e.data->>'title' as title
           from intake.events e
           where e.stream_id in (select stream_id from intake.events where event_type = 'CaseRegistered')`,
        ),
        this.rows<StoredEvent>(
          'mediation',
          `select stream_id, event_id::text as id, event_type as type, stream_position as pos
           from mediation.events`,
        ),
        this.snapshot<[SupervisionEvent[], { case_id: string; status: string; version: number }[]]>(
          'supervision',
          `select stream_id, event_id::text as id, event_type as type, stream_position as pos,
             data->>'obligation' as obligation, data->>'departmentId' as department,
             data->>'clockId' as clock, data->>'late' as late
           from supervision.events`,
          'select case_id::text, status, version from supervision.ledger',
        ),
        this.rows<{ case_id: string; track: string | null }>(
          'mediation',
          'select case_id::text, track from mediation.known_cases',
        ),
        this.rows<{ case_id: string }>(
          'petition',
          'select case_id::text from petition.known_cases',
        ),
        this.rows<AuditRow>(
          'audit',
          `select case_id, position, event->>'id' as id, event->>'source' as source,
             (event->>'streamversion')::int as sv
           from audit.case_events order by case_id, position`,
        ),
      ]);
    this.auditCounts = new Map(
      [...group(audit, (r) => r.case_id)].map(([caseId, rows]) => [caseId, rows.length]),
    );
    const problems = findProblems(
      { intake, mediation, supervision, ledger, mediationCases, petitionCases, audit },
      acks,
    );
    return { ...problems, acked: acks.length, chainsValid: 0, chainsChecked: 0, invalidChains: [] };
  }

  /**
   * `/verify` of every case the load registered, a few at a time, as the city's inspector.
   * A chain found valid before is asked again only when audit holds more of it now: its
   * rows cannot change (audit's table refuses UPDATE and DELETE), only grow.
   */
  private async verifyChains(verdict: Verdict, acks: readonly Ack[]): Promise<Verdict> {
    const cases = [...new Set(acks.filter((a) => a.kind === 'register').map((a) => a.caseId))];
    const stale = cases.filter((caseId) => {
      const known = this.verified.get(caseId);
      return known?.problem !== undefined || known?.events !== this.auditCounts.get(caseId);
    });
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < stale.length; i = next++) {
        const caseId = stale[i]!;
        const answer = await this.client.command('GET', `/api/v1/audit/cases/${caseId}/verify`, {
          user: INSPECTOR,
          untilMs: Date.now() + 30_000,
        });
        const body =
          answer.status === 200
            ? (JSON.parse(answer.body) as { valid?: boolean; events?: number })
            : {};
        this.verified.set(caseId, {
          events: body.events ?? -1,
          ...(body.valid === true
            ? {}
            : { problem: `case ${caseId}: ${answer.status} ${answer.body.slice(0, 200)}` }),
        });
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    const invalid = cases.flatMap((caseId) => {
      const problem = this.verified.get(caseId)?.problem;
      return problem === undefined ? [] : [problem];
    });
    return {
      ...verdict,
      chainsValid: cases.length - invalid.length,
      chainsChecked: cases.length,
      invalidChains: invalid,
    };
  }

  /** The case is on the ledger and audit has its registration: the event path carries it. */
  async visible(caseId: string): Promise<boolean> {
    const [ledger, audit] = await Promise.all([
      this.pool('supervision').query('select 1 from supervision.ledger where case_id = $1', [
        caseId,
      ]),
      this.pool('audit').query('select 1 from audit.case_events where case_id = $1', [caseId]),
    ]);
    return (ledger.rowCount ?? 0) > 0 && (audit.rowCount ?? 0) > 0;
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.end()));
  }
}
