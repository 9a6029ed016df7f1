import {
  CASE_EVENTS_TOPIC,
  ceSource,
  ceType,
  toBinaryMessage,
  type CloudEvent,
} from '@casegrid/contracts';
import { kernelMigrations, openServiceDatabase, type ServiceDatabase } from '@casegrid/event-store';
import { uuidv7 } from '@casegrid/kernel';
import {
  batchOf,
  EventProcessor,
  InProcessTransport,
  inProcessTransportMigrations,
  type DeliveredMessage,
} from '@casegrid/messaging';
import { createTestPool, dropSchemas, freshSchemaName, testInfra } from '@casegrid/testing';
import { CaseDirectory } from './case-directory';
import { caseDirectoryMigrations } from './case-directory.migrations';

/**
 * The directory against real PostgreSQL and the in-process transport (the same port as
 * Kafka): what intake's events make of a case, redelivery, and waiting for an event.
 */
describe('CaseDirectory', () => {
  const schema = freshSchemaName('case_directory');
  const transportSchema = freshSchemaName('case_directory_log');
  let db: ServiceDatabase;
  let log: ServiceDatabase;
  let transport: InProcessTransport;
  let directory: CaseDirectory;
  let processor: EventProcessor;

  beforeAll(async () => {
    const url = testInfra().databaseUrl;
    db = await openServiceDatabase({
      url,
      schema,
      migrations: [...kernelMigrations(schema), ...caseDirectoryMigrations(schema)],
    });
    log = await openServiceDatabase({
      url,
      schema: transportSchema,
      migrations: inProcessTransportMigrations(transportSchema),
    });
    transport = new InProcessTransport({
      pool: log.pool,
      schema: transportSchema,
      pollIntervalMs: 20,
    });
    directory = new CaseDirectory({ service: 'mediation', pool: db.pool, schema, waitMs: 300 });
    processor = new EventProcessor(directory, transport);
  });
  afterAll(async () => {
    await processor?.stop();
    await transport?.close();
    await db?.close();
    await log?.close();
    const admin = createTestPool();
    await dropSchemas(admin, [schema, transportSchema]);
    await admin.end();
  });

  it("follows a case through intake's events: registered, dispatched, accepted", async () => {
    const caseId = uuidv7();
    await deliver(processor, intake(caseId, 1, 'CaseRegistered', registered(caseId)));
    expect(await directory.get(caseId)).toEqual({
      caseId,
      kind: 'dispute',
      regionCode: '370102001001',
      receivedAt: '2026-03-02T01:00:00.000Z',
      leadDepartmentId: null,
      coDepartmentIds: [],
      track: null,
      handlerId: null,
      status: 'registered',
      version: 1,
    });
    await deliver(processor, intake(caseId, 2, 'CaseDispatched', dispatched(caseId)));
    await deliver(processor, intake(caseId, 3, 'CaseAccepted', accepted(caseId)));
    expect(await directory.get(caseId)).toMatchObject({
      status: 'accepted',
      leadDepartmentId: LEAD,
      coDepartmentIds: [CO],
      track: 'mediation',
      handlerId: HANDLER,
      version: 3,
    });
  });

  it('takes a redelivered or replayed event once, and never rolls a case back', async () => {
    const caseId = uuidv7();
    const events = [
      intake(caseId, 1, 'CaseRegistered', registered(caseId)),
      intake(caseId, 2, 'CaseDispatched', dispatched(caseId)),
      intake(caseId, 3, 'CaseAccepted', accepted(caseId)),
    ];
    for (const event of events) await deliver(processor, event);
    const before = await directory.get(caseId);
    // The same messages again (a crash before the offset commit), then the dispatch as a
    // new message id (a replay of the topic): the case stays accepted.
    for (const event of events) await deliver(processor, event);
    await deliver(processor, { ...events[1]!, id: uuidv7() });
    expect(await directory.get(caseId)).toEqual(before);
    const { rows } = await db.pool.query<{ n: string }>(
      `select count(*) as n from "${schema}".inbox where consumer = $1 and event_id = any($2)`,
      [directory.group, events.map((e) => e.id)],
    );
    expect(Number(rows[0]!.n)).toBe(3);
  });

  it('moves the lead on a transfer, forgets the track until accepted again, ends on resolve', async () => {
    const caseId = uuidv7();
    await deliver(processor, intake(caseId, 1, 'CaseRegistered', registered(caseId)));
    await deliver(processor, intake(caseId, 2, 'CaseDispatched', dispatched(caseId)));
    await deliver(processor, intake(caseId, 3, 'CaseAccepted', accepted(caseId)));
    await deliver(
      processor,
      intake(caseId, 4, 'CaseTransferred', {
        caseId,
        fromDepartmentId: LEAD,
        toDepartmentId: CO,
        reason: '移交',
      }),
    );
    expect(await directory.get(caseId)).toMatchObject({
      status: 'dispatched',
      leadDepartmentId: CO,
      coDepartmentIds: [],
      track: null,
    });
    await deliver(processor, intake(caseId, 5, 'CaseReturned', { caseId, reason: '不属本部门' }));
    expect(await directory.get(caseId)).toMatchObject({
      status: 'registered',
      leadDepartmentId: null,
    });
  });

  it('ignores events of other services on the topic', async () => {
    const caseId = uuidv7();
    await deliver(processor, intake(caseId, 1, 'CaseRegistered', registered(caseId)));
    await deliver(processor, {
      ...intake(caseId, 2, 'CaseDispatched', dispatched(caseId)),
      source: ceSource('mediation'),
      type: ceType('mediation', 'CaseDispatched', 1),
    });
    expect(await directory.get(caseId)).toMatchObject({ status: 'registered', version: 1 });
  });

  describe('waitFor', () => {
    it('times out with a 404 on a case never heard of, saying it waited for intake', async () => {
      const caseId = uuidv7();
      const started = Date.now();
      await expect(directory.waitFor(caseId, () => true)).rejects.toMatchObject({
        code: 'not_found',
        message: expect.stringMatching(
          /has not heard of it from intake \(waited 300 ms for intake's event\)/,
        ) as string,
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    });

    it('times out with a 409 on a known case that never became as required', async () => {
      const caseId = uuidv7();
      await deliver(processor, intake(caseId, 1, 'CaseRegistered', registered(caseId)));
      await expect(
        directory.waitFor(caseId, (c) => c.status === 'accepted', {
          timeoutMs: 100,
          what: 'accepted on the mediation track',
        }),
      ).rejects.toMatchObject({
        code: 'illegal_state',
        message: `case ${caseId} is registered, not accepted on the mediation track; waited 100 ms for intake's event that would make it so`,
      });
    });

    it('answers as soon as the event lands through the transport', async () => {
      await processor.start();
      const caseId = uuidv7();
      const waiting = directory.waitFor(caseId, (c) => c.status === 'accepted', {
        timeoutMs: 20_000,
      });
      await transport.publish(
        [
          intake(caseId, 1, 'CaseRegistered', registered(caseId)),
          intake(caseId, 2, 'CaseDispatched', dispatched(caseId)),
          intake(caseId, 3, 'CaseAccepted', accepted(caseId)),
        ].map((event) => toBinaryMessage(CASE_EVENTS_TOPIC, event)),
      );
      await expect(waiting).resolves.toMatchObject({ caseId, status: 'accepted', version: 3 });
    });
  });
});

const LEAD = '0193a000-0000-7000-8000-000000000055';
const CO = '0193a000-0000-7000-8000-000000000054';
const HANDLER = '0193a000-0000-7000-8000-0000000000aa';

const registered = (caseId: string) => ({
  caseId,
  number: '2026-370102-000001',
  kind: 'dispute',
  channel: 'grid',
  title: '楼道堆物',
  description: '邻居长期在楼道堆放杂物',
  category: 'neighbor',
  regionCode: '370102001001',
  urgency: 'normal',
  severity: 'minor',
  receivedAt: '2026-03-02T09:00:00+08:00',
  occurredAt: null,
  parties: [],
  attachments: [],
});
const dispatched = (caseId: string) => ({
  caseId,
  leadDepartmentId: LEAD,
  coDepartmentIds: [CO],
  note: null,
  by: 'rule',
  ruleId: null,
  explanation: null,
});
const accepted = (caseId: string) => ({
  caseId,
  departmentId: LEAD,
  track: 'mediation',
  handlerId: HANDLER,
});

const intake = (caseId: string, version: number, name: string, data: unknown): CloudEvent => ({
  specversion: '1.0',
  id: uuidv7(),
  source: ceSource('intake'),
  type: ceType('intake', name, 1),
  time: '2026-03-02T09:00:00+08:00',
  subject: caseId,
  datacontenttype: 'application/json',
  actor: HANDLER,
  correlationid: uuidv7(),
  streamversion: version,
  data,
});

/**
 * Hands one event to the directory's processor as the transport would, each at the next
 * offset of a partition the transport does not use (so its position is this spec's own).
 */
let handed = 0;
const deliver = async (processor: EventProcessor, event: CloudEvent): Promise<void> => {
  handed += 1;
  const message: DeliveredMessage = {
    ...toBinaryMessage(CASE_EVENTS_TOPIC, event),
    partition: 7,
    offset: String(handed),
  };
  await processor.handleBatch(batchOf([message]));
};
