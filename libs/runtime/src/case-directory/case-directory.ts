import type { Pool, PoolClient } from 'pg';
import { CASE_EVENTS_TOPIC, type CloudEvent, type ServiceName } from '@casegrid/contracts';
import { quoteSchema, type Queryable } from '@casegrid/event-store';
import { IllegalStateError, NotFoundError } from '@casegrid/kernel';
import { EVENT_HANDLER, fromServices, type EachEventHandler } from '@casegrid/messaging';
import { CASEGRID_CONFIG, type CasegridConfig } from '@casegrid/platform';
import type { ServiceRuntime } from '../infrastructure';
import { serviceRuntime as serviceRuntimeToken } from '../runtime-tokens';
import { knownCaseChange, type KnownCase, type KnownCaseStatus } from './case-directory.events';

export interface CaseDirectoryOptions {
  readonly service: ServiceName;
  /** The service's own database and schema (migrated with `caseDirectoryMigrations`). */
  readonly pool: Pool;
  readonly schema: string;
  /** How long `waitFor` waits for intake's event by default (CASE_DIRECTORY_WAIT_MS). */
  readonly waitMs?: number;
}

export interface WaitOptions {
  readonly timeoutMs?: number;
  /** What the case is waited for, for the error: "accepted on the mediation track". */
  readonly what?: string;
}

export const DEFAULT_CASE_DIRECTORY_WAIT_MS = 5_000;

/** One consumer group per service: its instances share the work and the one table. */
export const caseDirectoryGroup = (service: ServiceName): string => `${service}.case-directory`;

interface Row {
  case_id: string;
  kind: KnownCase['kind'];
  region_code: string;
  received_at: Date;
  lead_department_id: string | null;
  co_department_ids: string[];
  track: KnownCase['track'];
  handler_id: string | null;
  status: KnownCaseStatus;
  version: string;
}

const toKnownCase = (row: Row): KnownCase => ({
  caseId: row.case_id,
  kind: row.kind,
  regionCode: row.region_code,
  receivedAt: row.received_at.toISOString(),
  leadDepartmentId: row.lead_department_id,
  coDepartmentIds: row.co_department_ids,
  track: row.track,
  handlerId: row.handler_id,
  status: row.status,
  version: Number(row.version),
});

/**
 * What a consuming service (mediation, petition) knows of the cases intake registered:
 * `known_cases`, kept from intake's events on `casegrid.case-events`, so that no service
 * reads intake's database (DESIGN.md, Services).
 *
 * An event handler of intake's events (the rest of the topic is passed over before any
 * transaction): the processor commits each batch's row changes with its inbox rows and
 * the group's position. Each row keeps intake's stream version and a change applies only
 * over an older one, so a replay never rolls a case back.
 *
 * Eventually consistent: a command may arrive before the event that makes it possible
 * (the lead accepted a moment ago). `waitFor` polls briefly for it instead of failing at
 * once, and says so when it gives up.
 */
export class CaseDirectory implements EachEventHandler {
  readonly [EVENT_HANDLER] = true as const;
  readonly group: string;
  readonly topics = [CASE_EVENTS_TOPIC];
  /** Only intake's events move the directory; the rest cost this service no transaction. */
  readonly accepts = fromServices('intake');
  readonly pool: Pool;
  readonly schema: string;
  readonly waitMs: number;
  private readonly getSql: string;
  private readonly insertSql: string;
  private readonly s: string;

  constructor(private readonly options: CaseDirectoryOptions) {
    this.s = quoteSchema(options.schema);
    this.group = caseDirectoryGroup(options.service);
    this.pool = options.pool;
    this.schema = options.schema;
    this.waitMs = options.waitMs ?? DEFAULT_CASE_DIRECTORY_WAIT_MS;
    this.getSql = `select * from ${this.s}.known_cases where case_id = $1`;
    this.insertSql = `insert into ${this.s}.known_cases
        (case_id, kind, region_code, received_at, status, version)
      values ($1, $3, $4, $5, $6, $2) on conflict (case_id) do nothing`;
  }

  async apply(tx: PoolClient, event: CloudEvent): Promise<void> {
    const change = knownCaseChange(event);
    if (change === undefined) return;
    const key = [event.subject, event.streamversion];
    if (change.op === 'insert') {
      const { kind, regionCode, receivedAt, status } = change.row;
      await tx.query(this.insertSql, [...key, kind, regionCode, receivedAt, status]);
      return;
    }
    // A case registered before this service first subscribed and never replayed stays
    // unknown: the update finds no row, and commands on it answer 404.
    await tx.query(
      `update ${this.s}.known_cases set ${change.set}, version = $2, updated_at = now()
        where case_id = $1 and version < $2`,
      [...key, ...change.values],
    );
  }

  async get(caseId: string, db: Queryable = this.options.pool): Promise<KnownCase | undefined> {
    const { rows } = await db.query<Row>(this.getSql, [caseId]);
    return rows[0] && toKnownCase(rows[0]);
  }

  /**
   * The case once `until` holds for it, polling the table (no sleep-and-hope: each poll
   * reads what has committed). On timeout: 404 when the case was never heard of, 409 when
   * it was but is not (yet) as required — both saying that intake's event did not arrive.
   */
  async waitFor(
    caseId: string,
    until: (known: KnownCase) => boolean,
    options: WaitOptions = {},
  ): Promise<KnownCase> {
    const timeoutMs = options.timeoutMs ?? this.waitMs;
    const deadline = Date.now() + timeoutMs;
    for (let interval = 20; ; interval = Math.min(interval * 2, 250)) {
      const known = await this.get(caseId);
      if (known && until(known)) return known;
      const left = deadline - Date.now();
      if (left <= 0) throw this.timedOut(caseId, known, timeoutMs, options.what);
      await new Promise((resolve) => setTimeout(resolve, Math.min(interval, left)));
    }
  }

  private timedOut(
    caseId: string,
    known: KnownCase | undefined,
    timeoutMs: number,
    what = 'ready',
  ): Error {
    const waited = `waited ${timeoutMs} ms for intake's event`;
    if (!known) {
      return new NotFoundError(
        `case ${caseId} not found: ${this.options.service} has not heard of it from intake (${waited})`,
      );
    }
    const track = known.track ? ` on the ${known.track} track` : '';
    return new IllegalStateError(
      `case ${caseId} is ${known.status}${track}, not ${what}; ${waited} that would make it so`,
      'case.not_ready',
    );
  }
}

/** The provider of a service's case directory (its handler is run by the runtime). */
export const caseDirectoryProvider = (service: ServiceName) => ({
  provide: CaseDirectory,
  inject: [serviceRuntimeToken(service), CASEGRID_CONFIG],
  useFactory: (runtime: ServiceRuntime, config: CasegridConfig) =>
    new CaseDirectory({
      service,
      pool: runtime.db.pool,
      schema: runtime.service,
      waitMs: config.caseDirectory.waitMs,
    }),
});
