import type { Pool } from 'pg';
import { DEFAULT_CALENDAR_YEARS } from '@casegrid/calendar';
import {
  CASE_EVENTS_TOPIC,
  ceSource,
  ceType,
  toBinaryMessage,
  type CloudEvent,
} from '@casegrid/contracts';
import { DEFAULT_DEADLINE_POLICIES } from '@casegrid/deadlines';
import {
  kernelMigrations,
  openServiceDatabase,
  PgEventStore,
  type ServiceDatabase,
} from '@casegrid/event-store';
import { uuidv7 } from '@casegrid/kernel';
import {
  EventProcessor,
  InProcessTransport,
  inProcessTransportMigrations,
  OutboxRelay,
} from '@casegrid/messaging';
import { CasegridClock } from '@casegrid/platform';
import {
  PgReferenceReader,
  referenceReplicaMigrations,
  type ServiceRuntime,
} from '@casegrid/runtime';
import { AuditEventsConsumer, auditLogMigrations, AuditLogStore } from '@casegrid/service-audit';
import {
  CASE_EVENTS_GROUP,
  CaseEventsConsumer,
  ClockContextSource,
  DeadlineScheduler,
  LedgerRebuild,
  LedgerStore,
  supervisionMigrations,
  type CanonicalSource,
  type RebuildOptions,
  type RebuildReport,
} from '@casegrid/service-supervision';
import { createTestPool, dropSchemas, freshSchemaName, testInfra } from '@casegrid/testing';

/** The departments cases are dispatched to: a village committee, a police station as co-handler. */
export const PIPELINE_DEPARTMENTS = {
  committee: { id: '0190a7f0-0000-7000-8000-0000000d0001', regionCode: '370102001001' },
  police: { id: '0190a7f0-0000-7000-8000-0000000d0002', regionCode: '370102001000' },
} as const;

export interface LedgerSnapshot {
  readonly ledger: Record<string, unknown>[];
  readonly timers: Record<string, unknown>[];
  readonly notices: Record<string, unknown>[];
}

/**
 * supervision's ledger path and audit's log in schemas of their own, as `Infrastructure.open`
 * wires them, without Nest: the in-process transport; supervision's event store, outbox relay
 * (its reactions come back through the topic), live consumer and deadline scheduler; audit's
 * consumer. Specs publish intake's events to the topic themselves and drive the scheduler
 * (`scheduler.runDue()`) and the clock by hand. Every failure a consumer or the scheduler
 * reports is kept in `errors`.
 */
export class LedgerPipeline {
  readonly clock = new CasegridClock(new Date('2025-11-17T09:00:00+08:00')); // a Monday
  readonly errors: { where: string; error: unknown }[] = [];
  readonly scheduler: DeadlineScheduler;
  readonly ledger: LedgerStore;
  private readonly processors: EventProcessor[];

  private constructor(
    readonly schemas: {
      readonly supervision: string;
      readonly audit: string;
      readonly log: string;
    },
    readonly supervision: ServiceDatabase,
    readonly audit: ServiceDatabase,
    private readonly log: ServiceDatabase,
    readonly transport: InProcessTransport,
    private readonly relay: OutboxRelay,
  ) {
    const schema = schemas.supervision;
    const store = new PgEventStore({
      pool: supervision.pool,
      schema,
      onAppended: () => relay.wake(),
    });
    const runtime: ServiceRuntime = { service: 'supervision', db: supervision, store, relay };
    this.ledger = new LedgerStore(runtime);
    const context = new ClockContextSource(new PgReferenceReader(supervision.pool, schema), {
      length: 2,
      unit: 'working_days',
    });
    const observer = {
      error: (group: string, error: unknown) => this.errors.push({ where: group, error }),
    };
    this.processors = [
      new EventProcessor(
        new CaseEventsConsumer(supervision.pool, this.ledger, context, this.clock),
        transport,
        { observer },
      ),
      new EventProcessor(
        new AuditEventsConsumer(new AuditLogStore(audit.pool, schemas.audit)),
        transport,
        { observer },
      ),
    ];
    this.scheduler = new DeadlineScheduler(
      supervision.pool,
      this.ledger,
      context,
      this.clock,
      50,
      (error) => this.errors.push({ where: 'scheduler', error }),
    );
  }

  static async open(name: string): Promise<LedgerPipeline> {
    const url = testInfra().databaseUrl;
    const sup = freshSchemaName(`${name}_sup`);
    const aud = freshSchemaName(`${name}_audit`);
    const log = freshSchemaName(`${name}_log`);
    const supervision = await openServiceDatabase({
      url,
      schema: sup,
      migrations: [
        ...kernelMigrations(sup),
        ...referenceReplicaMigrations(sup),
        ...supervisionMigrations(sup),
      ],
    });
    const audit = await openServiceDatabase({
      url,
      schema: aud,
      migrations: [...kernelMigrations(aud), ...auditLogMigrations(aud)],
    });
    const logDb = await openServiceDatabase({
      url,
      schema: log,
      migrations: inProcessTransportMigrations(log),
    });
    const transport = new InProcessTransport({ pool: logDb.pool, schema: log, pollIntervalMs: 20 });
    const relay = new OutboxRelay({
      pool: supervision.pool,
      schema: sup,
      service: 'supervision',
      transport,
      pollIntervalMs: 20,
    });
    const schemas = { supervision: sup, audit: aud, log };
    const pipeline = new LedgerPipeline(schemas, supervision, audit, logDb, transport, relay);
    await pipeline.seedReference();
    relay.start();
    for (const processor of pipeline.processors) await processor.start();
    return pipeline;
  }

  /** Stops the live ledger consumer (audit's goes on): it falls behind the log. */
  async pauseLedger(): Promise<void> {
    await this.processors[0]!.stop();
  }

  /** Starts it again: it goes on from its committed position. */
  async resumeLedger(): Promise<void> {
    await this.processors[0]!.start();
  }

  get pool(): Pool {
    return this.supervision.pool;
  }

  /** A rebuild of this pipeline's ledger from `source`. */
  rebuild(source: CanonicalSource, options?: RebuildOptions): Promise<RebuildReport> {
    return new LedgerRebuild(this.pool, this.schemas.supervision, source, options).run();
  }

  /** intake's events, as its relay would publish them. */
  async publish(events: readonly CloudEvent[]): Promise<void> {
    await this.transport.publish(events.map((e) => toBinaryMessage(CASE_EVENTS_TOPIC, e)));
  }

  /** A case registered and dispatched now; every third one accepted too. */
  caseEvents(index: number): CloudEvent[] {
    const caseId = uuidv7();
    const at = this.clock.now().toISOString();
    const events = [
      intake(caseId, 1, 'CaseRegistered', at, {
        number: `2025-370102-${String(index + 1).padStart(6, '0')}`,
        kind: index % 5 === 4 ? 'petition' : 'dispute',
        channel: 'window',
        title: '邻里漏水纠纷',
        category: 'neighbour',
        regionCode: PIPELINE_DEPARTMENTS.committee.regionCode,
        urgency: 'normal',
        severity: 'minor',
        receivedAt: at,
      }),
      intake(caseId, 2, 'CaseDispatched', at, {
        leadDepartmentId: PIPELINE_DEPARTMENTS.committee.id,
        coDepartmentIds: [PIPELINE_DEPARTMENTS.police.id],
        by: 'manual',
      }),
    ];
    if (index % 3 === 1) {
      events.push(
        intake(caseId, 3, 'CaseAccepted', at, {
          departmentId: PIPELINE_DEPARTMENTS.committee.id,
          track: 'direct',
          handlerId: uuidv7(),
        }),
      );
    }
    return events;
  }

  /** intake's event `name` of a case, at stream version `version`, now. */
  intakeEvent(caseId: string, version: number, name: string, data: object = {}): CloudEvent {
    return intake(caseId, version, name, this.clock.now().toISOString(), data);
  }

  private count = async (sql: string, values: unknown[] = []): Promise<number> =>
    Number((await this.pool.query<{ n: string }>(sql, values)).rows[0]!.n);

  /** How many events the live consumer has applied. */
  applied(): Promise<number> {
    return this.count(
      `select count(*) as n from "${this.schemas.supervision}".inbox where consumer = $1`,
      [CASE_EVENTS_GROUP],
    );
  }

  /** How many case events are on the topic. */
  logged = () =>
    this.count(
      `select count(distinct headers->>'ce_id') as n from "${this.schemas.log}".log where topic = $1`,
      [CASE_EVENTS_TOPIC],
    );

  /** How many events audit holds. */
  audited = () => this.count(`select count(*) as n from "${this.schemas.audit}".case_events`);

  /** How many events on the topic audit and the live ledger consumer have yet to take. */
  async backlog(): Promise<{ audit: number; ledger: number }> {
    const logged = await this.logged();
    return { audit: logged - (await this.audited()), ledger: logged - (await this.applied()) };
  }

  /** Nothing in flight: supervision's outbox empty, audit and supervision hold every event. */
  async quiet(): Promise<boolean> {
    if ((await this.count(`select count(*) as n from "${this.schemas.supervision}".outbox`)) > 0) {
      return false;
    }
    const logged = await this.logged();
    const audited = await this.audited();
    return logged === audited && audited === (await this.applied());
  }

  /** Every column but the write time: the view's, the statistics', the state. */
  async snapshot(): Promise<LedgerSnapshot> {
    const s = `"${this.schemas.supervision}"`;
    const rows = async (sql: string) => (await this.pool.query<Record<string, unknown>>(sql)).rows;
    return {
      ledger: (await rows(`select * from ${s}.ledger order by case_id`)).map(
        ({ updated_at: _, ...row }) => row,
      ),
      timers: await rows(`select * from ${s}.case_timers order by case_id`),
      notices: await rows(`select * from ${s}.notices order by notice_id`),
    };
  }

  async close(): Promise<void> {
    for (const processor of this.processors) await processor.stop();
    await this.relay.stop();
    await this.transport.close();
    await this.supervision.close();
    await this.audit.close();
    await this.log.close();
    const admin = createTestPool();
    await dropSchemas(admin, Object.values(this.schemas));
    await admin.end();
  }

  /** What intake would have replicated: the deadline policies, the calendars, the departments. */
  private async seedReference(): Promise<void> {
    const rows: { kind: string; key: string; data: unknown }[] = [
      ...DEFAULT_DEADLINE_POLICIES.map((policy) => ({
        kind: 'deadline_policy',
        key: policy.code,
        data: { ...policy, version: 1, effectiveFrom: '2024-01-01T00:00:00+08:00' },
      })),
      ...DEFAULT_CALENDAR_YEARS.map((year) => ({
        kind: 'calendar',
        key: String(year.year),
        data: { ...year, source: null, version: 1 },
      })),
      ...Object.entries(PIPELINE_DEPARTMENTS).map(([name, d]) => ({
        kind: 'department',
        key: d.id,
        data: { ...d, name, type: name, tier: name === 'committee' ? 'village' : 'township' },
      })),
    ];
    await this.pool.query(
      `insert into "${this.schemas.supervision}".reference_data (kind, key, data, version, occurred_at)
       select kind, key, data, 1, now()
       from unnest($1::text[], $2::text[], $3::jsonb[]) as r(kind, key, data)`,
      [rows.map((r) => r.kind), rows.map((r) => r.key), rows.map((r) => JSON.stringify(r.data))],
    );
  }
}

const intake = (
  caseId: string,
  version: number,
  name: string,
  time: string,
  data: object,
): CloudEvent => ({
  specversion: '1.0',
  id: uuidv7(),
  source: ceSource('intake'),
  type: ceType('intake', name, 1),
  time,
  subject: caseId,
  datacontenttype: 'application/json',
  actor: 'u-intake-clerk',
  correlationid: uuidv7(),
  streamversion: version,
  data: { caseId, ...data },
});
