import { CASE_EVENTS_TOPIC, deadLetterTopic, parseCeType } from '@casegrid/contracts';
import { uuidv7 } from '@casegrid/kernel';
import type { PgEventStore } from '@casegrid/event-store';
import { createTestPool } from '@casegrid/testing';
import { OutboxRelay, type OutboxRelayOptions } from './outbox-relay';
import {
  collectDeadLetters,
  dropProducer,
  eventually,
  inProcessUnderTest,
  kafkaUnderTest,
  poisonMessage,
  startConsumer,
  startProducer,
  type ReceivedRow,
  type TransportUnderTest,
} from './testing/event-path.harness';

/**
 * The whole event path, on both transports: an append in one service → its outbox → the
 * relay → the broker → a consumer in another service → that service's own table.
 */
const cases: [string, () => Promise<TransportUnderTest>][] = [
  ['kafka (mock broker)', async () => kafkaUnderTest()],
  ['in-process', inProcessUnderTest],
];

describe.each(cases)('event path on %s', (_name, makeTransport) => {
  let under: TransportUnderTest;
  const admin = createTestPool();

  beforeAll(async () => {
    under = await makeTransport();
  });
  afterAll(async () => {
    await under.close();
    await admin.end();
  });

  /** Fresh topic and group per spec, so specs on a shared broker cannot see each other. */
  const isolate = async () => {
    const suffix = uuidv7().slice(-12);
    const topic = `${CASE_EVENTS_TOPIC}.t${suffix}`;
    const group = `g${suffix}`;
    await under.prepareTopics([
      topic,
      deadLetterTopic(group),
      deadLetterTopic(`${group}-dlq-reader`),
    ]);
    return { topic, group };
  };

  const appendCases = async (
    store: PgEventStore,
    topic: string,
    cases: number,
    perCase: number,
  ) => {
    const ids: string[] = [];
    for (let c = 0; c < cases; c += 1) {
      const caseId = uuidv7();
      for (let v = 0; v < perCase; v += 1) {
        const id = uuidv7();
        ids.push(id);
        await store.append({
          streamId: caseId,
          expectedVersion: v,
          publishTo: topic,
          events: [
            {
              id,
              type: v === 0 ? 'CaseRegistered' : 'CaseDispatched',
              data: { v },
              metadata: {
                actor: 'u1',
                correlationId: caseId,
                occurredAt: new Date().toISOString(),
              },
            },
          ],
        });
      }
    }
    return ids;
  };

  const expectPerCaseOrder = (rows: readonly ReceivedRow[]) => {
    const last = new Map<string, number>();
    for (const row of rows) {
      expect(row.stream_version).toBe((last.get(row.case_id) ?? 0) + 1);
      last.set(row.case_id, row.stream_version);
    }
  };

  /** A relay of the producing service with test-speed polling. */
  const relayOf = (
    producer: Awaited<ReturnType<typeof startProducer>>,
    options: Partial<OutboxRelayOptions> = {},
  ): OutboxRelay =>
    new OutboxRelay({
      pool: producer.db.pool,
      schema: producer.store.schema,
      service: 'intake',
      transport: under.create(),
      pollIntervalMs: 20,
      ...options,
    });

  it('delivers every event once, in each case stream order, as CloudEvents', async () => {
    const { topic, group } = await isolate();
    const producer = await startProducer('intake');
    const transport = under.create();
    const relay = relayOf(producer, { transport });
    const consumer = await startConsumer(under.create(), topic, group);
    try {
      relay.start();
      const ids = await appendCases(producer.store, topic, 6, 4);
      await eventually(async () => expect((await consumer.received()).length).toBe(ids.length));
      const rows = await consumer.received();
      expect(new Set(rows.map((r) => r.event_id))).toEqual(new Set(ids));
      expectPerCaseOrder(rows);
      const first = consumer.deliveries[0]!;
      expect(first.headers['ce_source']).toBe('/casegrid/intake');
      expect(parseCeType(first.headers['ce_type']!)).toMatchObject({
        service: 'intake',
        version: 1,
      });
      expect(first.key).toBe(first.headers['ce_subject']);
      await eventually(async () => expect(await relay.backlog()).toBe(0));
    } finally {
      await relay.stop();
      await consumer.close();
      await dropProducer(producer.db, producer.store.schema, admin);
    }
  });

  it('loses nothing when the relay dies between publish and mark; the inbox absorbs the duplicate', async () => {
    const { topic, group } = await isolate();
    const producer = await startProducer('intake');
    const consumer = await startConsumer(under.create(), topic, group);
    let crashed = false;
    const dying = relayOf(producer, {
      afterPublish: async () => {
        crashed = true;
        throw new Error('relay killed after the broker acknowledged, before marking');
      },
    });
    const successor = relayOf(producer);
    try {
      const ids = await appendCases(producer.store, topic, 3, 3);
      await expect(dying.relayOnce()).rejects.toThrow('relay killed');
      expect(crashed).toBe(true);
      await dying.stop(); // its session ends, so does its lock
      // Rows show up only once no older transaction anywhere on the server is open (the
      // horizon), so another spec's transaction may hold them back for a moment.
      let republished = 0;
      await eventually(async () => {
        republished += await successor.relayOnce();
        expect(republished).toBe(ids.length);
      });
      await eventually(async () => expect((await consumer.received()).length).toBe(ids.length));
      await eventually(() => expect(consumer.deliveries.length).toBe(2 * ids.length));
      const rows = await consumer.received();
      expect(new Set(rows.map((r) => r.event_id))).toEqual(new Set(ids));
      expectPerCaseOrder(rows);
    } finally {
      await successor.stop();
      await consumer.close();
      await dropProducer(producer.db, producer.store.schema, admin);
    }
  });

  it('parks a poison message in the dead-letter topic and keeps the partition flowing', async () => {
    const { topic, group } = await isolate();
    const producer = await startProducer('intake');
    const transport = under.create();
    const relay = relayOf(producer, { transport });
    const consumer = await startConsumer(under.create(), topic, group);
    const dlq = await collectDeadLetters(under.create(), group);
    try {
      const caseId = uuidv7();
      const before = await appendCases(producer.store, topic, 2, 2);
      await relay.relayOnce();
      await transport.publish([poisonMessage(topic, caseId)]);
      const after = await appendCases(producer.store, topic, 2, 2);
      relay.start();
      await eventually(async () =>
        expect((await consumer.received()).length).toBe(before.length + after.length),
      );
      await eventually(() => expect(dlq.parked).toHaveLength(1));
      const parked = dlq.parked[0]!;
      expect(parked.value).toBe('{not json');
      expect(parked.headers).toMatchObject({
        dlq_original_topic: topic,
        dlq_consumer_group: group,
        dlq_error_code: 'malformed_message',
      });
    } finally {
      await relay.stop();
      await dlq.close();
      await consumer.close();
      await dropProducer(producer.db, producer.store.schema, admin);
    }
  });

  it('resumes a restarted consumer group from its committed position: nothing lost, nothing consumed again', async () => {
    const { topic, group } = await isolate();
    const producer = await startProducer('intake');
    const relay = relayOf(producer);
    const first = await startConsumer(under.create(), topic, group);
    let second: Awaited<ReturnType<typeof startConsumer>> | undefined;
    try {
      relay.start();
      const before = await appendCases(producer.store, topic, 3, 2);
      await eventually(async () => expect((await first.received()).length).toBe(before.length));
      await first.close();
      // Published while no consumer of the group runs; a new process picks them up.
      const after = await appendCases(producer.store, topic, 3, 2);
      second = await startConsumer(under.create(), topic, group);
      await eventually(async () =>
        expect((await second!.received()).map((r) => r.event_id)).toEqual(
          expect.arrayContaining(after),
        ),
      );
      expect(second.deliveries.map((d) => d.headers['ce_id'])).not.toContain(before[0]);
    } finally {
      await relay.stop();
      await second?.close();
      await dropProducer(producer.db, producer.store.schema, admin);
    }
  });

  it('lets one of two relays of a service publish, in order, without duplicates', async () => {
    const { topic, group } = await isolate();
    const producer = await startProducer('intake');
    const relays = [0, 1].map(() => relayOf(producer, { pollIntervalMs: 10, leaderRetryMs: 10 }));
    const consumer = await startConsumer(under.create(), topic, group);
    try {
      relays.forEach((r) => r.start());
      const ids = await appendCases(producer.store, topic, 5, 5);
      await eventually(async () => expect((await consumer.received()).length).toBe(ids.length));
      expect(relays.filter((r) => r.isLeader)).toHaveLength(1);
      expect(consumer.deliveries).toHaveLength(ids.length);
      expectPerCaseOrder(await consumer.received());
    } finally {
      await Promise.all(relays.map((r) => r.stop()));
      await consumer.close();
      await dropProducer(producer.db, producer.store.schema, admin);
    }
  });
});
