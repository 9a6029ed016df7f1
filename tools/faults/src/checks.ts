import { performance } from 'node:perf_hooks';
import { Pool } from 'pg';
import type { CasegridClient } from './http-client';
import type { Ack } from './load';
import { keyOfTitle } from './load';

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

interface StoredEvent {
  stream_id: string;
  id: string;
  type: string;
  pos: string;
}

interface SupervisionEvent extends StoredEvent {
  obligation: string | null;
  department: string | null;
  clock: string | null;
  late: string | null;
}

interface AuditRow {
  case_id: string;
  position: number;
  id: string;
  source: string;
  sv: number;
}

const group = <T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> => {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const list = out.get(key(row)) ?? [];
    list.push(row);
    out.set(key(row), list);
  }
  return out;
};

const contiguous = (positions: readonly number[]): boolean =>
  positions.every((p, i) => p === i + 1);

/** Ids seen more than once. */
const repeated = (ids: readonly string[]): string[] => {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const id of ids) (seen.has(id) ? twice : seen).add(id);
  return [...twice];
};

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
    const [intake, mediation, supervision, ledger, mediationCases, petitionCases, audit] =
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
        this.rows<SupervisionEvent>(
          'supervision',
          `select stream_id, event_id::text as id, event_type as type, stream_position as pos,
             data->>'obligation' as obligation, data->>'departmentId' as department,
             data->>'clockId' as clock, data->>'late' as late
           from supervision.events`,
        ),
        this.rows<{ case_id: string; status: string; version: number }>(
          'supervision',
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
    const missing: string[] = [];
    const duplicated: string[] = [];
    const orderViolations: string[] = [];
    const falseBreaches: string[] = [];

    const intakeByCase = group(intake, (e) => e.stream_id);
    const cases = new Set(intakeByCase.keys());
    const caseEvents = <T extends StoredEvent>(rows: readonly T[]) =>
      group(
        rows.filter((e) => cases.has(e.stream_id)),
        (e) => e.stream_id,
      );
    const mediationByCase = caseEvents(mediation);
    const supervisionByCase = caseEvents(supervision);
    const stores = {
      intake: intakeByCase,
      mediation: mediationByCase,
      supervision: supervisionByCase,
    };
    const ledgerOf = new Map(ledger.map((r) => [r.case_id, r]));
    const mediationKnown = new Map(mediationCases.map((r) => [r.case_id, r]));
    const petitionKnown = new Set(petitionCases.map((r) => r.case_id));
    const auditByCase = group(audit, (r) => r.case_id);
    this.auditCounts = new Map([...auditByCase].map(([caseId, rows]) => [caseId, rows.length]));
    const audited = new Set(audit.map((r) => r.id));
    const count = (caseId: string, type: string): number =>
      [...(intakeByCase.get(caseId) ?? []), ...(mediationByCase.get(caseId) ?? [])].filter(
        (e) => e.type === type,
      ).length;
    const eventOf = (caseId: string, type: string): StoredEvent | undefined =>
      [...(intakeByCase.get(caseId) ?? []), ...(mediationByCase.get(caseId) ?? [])].find(
        (e) => e.type === type,
      );

    // Registrations: one case per key, the one its answer named.
    const casesOfKey = group(
      intake.filter((e) => e.type === 'CaseRegistered'),
      (e) => keyOfTitle(e.title ?? '') ?? `(no key: ${e.title})`,
    );
    for (const [key, registered] of casesOfKey) {
      if (registered.length > 1) duplicated.push(`registration ${key}: ${registered.length} cases`);
    }
    const STATUS_AFTER = { register: 'dispatched', accept: 'accepted', mediation: 'in_progress' };
    const RANK = ['dispatched', 'accepted', 'in_progress'];
    const EVENT_OF = {
      register: 'CaseRegistered',
      accept: 'CaseAccepted',
      mediation: 'MediationOpened',
    };
    for (const ack of acks) {
      const what = `${ack.kind} ${ack.key} (case ${ack.caseId})`;
      if (ack.kind === 'register') {
        const registered = casesOfKey.get(ack.key) ?? [];
        if (!registered.some((e) => e.stream_id === ack.caseId)) {
          missing.push(`${what}: no such case registered under its key`);
          continue;
        }
      }
      const event = eventOf(ack.caseId, EVENT_OF[ack.kind]);
      if (!event) {
        missing.push(`${what}: no ${EVENT_OF[ack.kind]} in the store`);
        continue;
      }
      const row = ledgerOf.get(ack.caseId);
      if (!row || RANK.indexOf(row.status) < RANK.indexOf(STATUS_AFTER[ack.kind]))
        missing.push(`${what}: the ledger says ${row?.status ?? 'nothing'}`);
      if (!audited.has(event.id)) missing.push(`${what}: audit lacks ${event.type} ${event.id}`);
      const known = mediationKnown.get(ack.caseId);
      if (!known) missing.push(`${what}: mediation's directory does not know the case`);
      else if (ack.kind !== 'register' && known.track !== 'mediation')
        missing.push(`${what}: mediation's directory has track ${known.track}`);
      if (ack.kind === 'register' && !petitionKnown.has(ack.caseId))
        missing.push(`${what}: petition's directory does not know the case`);
    }

    for (const caseId of cases) {
      for (const type of ['CaseRegistered', 'CaseAccepted', 'MediationOpened']) {
        const n = count(caseId, type);
        if (n > 1) duplicated.push(`case ${caseId}: ${n} × ${type}`);
      }
      const own = supervisionByCase.get(caseId) ?? [];
      const clocks = own.filter((e) => e.type === 'DeadlineStarted');
      for (const [clock, started] of group(clocks, (e) => `${e.obligation}/${e.department}`)) {
        if (started.length > 1)
          duplicated.push(`case ${caseId}: clock ${clock} started ${started.length} ×`);
      }
      for (const [clock, met] of group(
        own.filter((e) => e.type === 'DeadlineMet'),
        (e) => e.clock ?? '',
      )) {
        if (met.length > 1) duplicated.push(`case ${caseId}: clock ${clock} met ${met.length} ×`);
      }
      for (const e of own) {
        if (e.type === 'DeadlineBreached')
          falseBreaches.push(`case ${caseId}: DeadlineBreached ${e.id}`);
        if (e.type === 'DeadlineMet' && e.late === 'true')
          falseBreaches.push(`case ${caseId}: clock ${e.clock} met late`);
      }
      // Every stored event of the case in audit, once, each producer's in its order.
      for (const [store, byCase] of Object.entries(stores)) {
        const events = byCase.get(caseId) ?? [];
        const positions = events.map((e) => Number(e.pos)).sort((a, b) => a - b);
        if (!contiguous(positions))
          orderViolations.push(`${store} stream ${caseId}: positions ${positions.join(',')}`);
        for (const e of events) {
          if (!audited.has(e.id))
            missing.push(`case ${caseId}: audit lacks ${store}'s ${e.type} ${e.id}`);
        }
      }
      const chain = auditByCase.get(caseId) ?? [];
      if (!contiguous(chain.map((r) => r.position)))
        orderViolations.push(
          `audit chain ${caseId}: positions ${chain.map((r) => r.position).join(',')}`,
        );
      for (const [source, entries] of group(chain, (r) => r.source)) {
        if (!contiguous(entries.map((r) => r.sv)))
          orderViolations.push(
            `audit ${caseId}: ${source} in the order ${entries.map((r) => r.sv).join(',')}`,
          );
      }
      const row = ledgerOf.get(caseId);
      const version = own.length;
      if (row && row.version !== version)
        orderViolations.push(
          `ledger ${caseId}: version ${row.version}, supervision's stream ${version}`,
        );
    }

    for (const [name, rows] of [
      ['intake', intake],
      ['mediation', mediation],
      ['supervision', supervision],
      ['audit', audit],
    ] as const) {
      for (const id of repeated(rows.map((r) => r.id)))
        duplicated.push(`${name}: event ${id} stored twice`);
    }
    for (const id of repeated(ledger.map((r) => r.case_id)))
      duplicated.push(`ledger: case ${id} twice`);

    return {
      cases: cases.size,
      acked: acks.length,
      missing,
      duplicated,
      orderViolations,
      chainsValid: 0,
      chainsChecked: 0,
      invalidChains: [],
      falseBreaches,
    };
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
