import { execFileSync, spawn } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  CASE_EVENTS_TOPIC,
  ceSource,
  ceType,
  deadLetterTopic,
  toBinaryMessage,
  type CloudEvent,
} from '@casegrid/contracts';
import { kernelMigrations, openServiceDatabase, type ServiceDatabase } from '@casegrid/event-store';
import { IllegalStateError, uuidv7 } from '@casegrid/kernel';
import {
  createTestPool,
  dropSchemas,
  freshSchemaName,
  startMockKafka,
  testInfra,
} from '@casegrid/testing';
import { OutboxRelay } from '../outbox-relay';
import {
  collectDeadLetters,
  dropProducer,
  eventually,
  kafkaUnderTest,
  startProducer,
  TEST_RETRY,
  type TransportUnderTest,
} from './event-path.harness';
import { eachMessage, type DeliveredMessage } from '../transport';
import { defineEventHandler, type EventHandler } from '../processor/event-handler';
import { batchOf, EventProcessor } from '../processor/event-processor';

/**
 * The one processor on both transports: batches applied in one transaction each, a poison
 * message found by splitting, a crash between a batch's commit and the offset commit, and
 * many events to several groups.
 */

const ROOT = resolve(__dirname, '../../../../..');

/**
 * The processor's contract on one transport. Each transport has its own spec file
 * (`event-processor.<transport>.int.spec.ts`) so the two run in parallel Jest workers.
 */
export function describeEventProcessor(
  name: string,
  makeTransport: () => Promise<TransportUnderTest>,
  /** Cases of ten events each for the volume spec (the mock broker is the slow one). */
  volumeCases = 1_000,
): void {
  describe(`the event processor on ${name}`, () => {
    let under: TransportUnderTest;
    const admin = createTestPool();

    beforeAll(async () => {
      under = await makeTransport();
    });
    afterAll(async () => {
      await under.close();
      await admin.end();
    });

    const isolate = async () => {
      const suffix = uuidv7().slice(-12);
      const topic = `${CASE_EVENTS_TOPIC}.p${suffix}`;
      const group = `g${suffix}`;
      await under.prepareTopics([
        topic,
        deadLetterTopic(group),
        deadLetterTopic(`${group}-dlq-reader`),
      ]);
      return { topic, group };
    };

    /** A consuming service's schema, with a table of what was applied that keeps doubles. */
    const consumerDb = async (): Promise<ServiceDatabase & { schema: string }> => {
      const schema = freshSchemaName('processor');
      const db = await openServiceDatabase({
        url: testInfra().databaseUrl,
        schema,
        migrations: kernelMigrations(schema),
      });
      await db.pool.query(`create table "${schema}".applied (
      seq bigint generated always as identity, event_id text not null, case_id text,
      stream_version int, by_pid int)`);
      return Object.assign(db, { schema });
    };

    const dropConsumer = async (db: ServiceDatabase & { schema: string }) => {
      await db.close();
      await dropSchemas(admin, [db.schema]);
    };

    const recording = (
      db: ServiceDatabase & { schema: string },
      group: string,
      topic: string,
      fail?: (event: CloudEvent) => boolean,
    ) => {
      let transactions = 0;
      const handler: EventHandler = defineEventHandler({
        group,
        topics: [topic],
        pool: db.pool,
        schema: db.schema,
        applyBatch: async (tx, events) => {
          transactions += 1;
          for (const event of events) {
            if (fail?.(event))
              throw new IllegalStateError(`refused ${event.id}`, 'supervision.case_closed');
            await tx.query(
              `insert into "${db.schema}".applied (event_id, case_id, stream_version) values ($1, $2, $3)`,
              [event.id, event.subject, event.streamversion],
            );
          }
        },
      });
      return { handler, transactions: () => transactions };
    };

    const applied = async (db: ServiceDatabase & { schema: string }) =>
      (
        await db.pool.query<{ event_id: string; case_id: string; stream_version: number }>(
          `select event_id, case_id, stream_version from "${db.schema}".applied order by seq`,
        )
      ).rows;

    const expectPerCaseOrder = (rows: readonly { case_id: string; stream_version: number }[]) => {
      const last = new Map<string, number>();
      for (const row of rows) {
        expect(row.stream_version).toBe((last.get(row.case_id) ?? 0) + 1);
        last.set(row.case_id, row.stream_version);
      }
    };

    it('parks exactly the poison message in the middle of a batch, holds its case behind it, and applies the rest in order', async () => {
      const { topic, group } = await isolate();
      const db = await consumerDb();
      const transport = under.create();
      const dlq = await collectDeadLetters(under.create(), group);
      const poisonId = uuidv7();
      const { handler, transactions } = recording(db, group, topic, (e) => e.id === poisonId);
      const processor = new EventProcessor(handler, transport, { retry: TEST_RETRY });
      try {
        // Three cases, ten events each, interleaved as a partition would hold them; the 17th
        // message (case B's sixth event) is refused by the domain every time.
        const caseIds = [uuidv7(), uuidv7(), uuidv7()];
        const messages: DeliveredMessage[] = [];
        for (let v = 1; v <= 10; v += 1) {
          for (const caseId of caseIds) {
            const id = messages.length === 16 ? poisonId : uuidv7();
            messages.push({
              ...toBinaryMessage(topic, cloudEvent(caseId, v, id)),
              partition: 0,
              offset: String(messages.length + 1),
            });
          }
        }
        expect(await processor.handleBatch(batchOf(messages))).toBe(30);

        // Case B (the second of each round) stops at its fifth event: its later ones wait
        // behind the poison; the other two cases are applied in full, in order.
        const poisonCase = caseIds[1]!;
        const rows = await applied(db);
        expect(rows.map((r) => r.event_id)).toEqual(
          messages.filter((m, i) => m.key !== poisonCase || i < 16).map((m) => m.headers['ce_id']),
        );
        expect((await processor.parkedEvents(poisonCase)).map((e) => e.reason)).toEqual([
          'failed',
          'held',
          'held',
          'held',
          'held',
        ]);
        // Binary search for the one that fails: a handful of transactions, not thirty, plus
        // the poison's own attempts.
        expect(transactions()).toBeLessThanOrEqual(
          2 * Math.ceil(Math.log2(30)) + TEST_RETRY.maxAttempts,
        );
        await eventually(() => expect(dlq.parked).toHaveLength(1));
        expect(dlq.parked[0]!.headers).toMatchObject({
          ce_id: poisonId,
          dlq_consumer_group: group,
          dlq_original_offset: '17',
          dlq_error_code: 'illegal_state',
        });
        // The position is past it: handing the batch over again applies and parks nothing.
        expect(await processor.handleBatch(batchOf(messages))).toBe(30);
        expect(await applied(db)).toHaveLength(25);
        expect(await processor.parkedCount()).toEqual({ events: 5, cases: 1 });
      } finally {
        await processor.stop();
        await dlq.close();
        await dropConsumer(db);
      }
    });

    it('holds a case behind its parked event while other cases flow, and replays it in order once fixed', async () => {
      const { topic, group } = await isolate();
      const db = await consumerDb();
      const dlq = await collectDeadLetters(under.create(), group);
      const broken = { fixed: false };
      const [a, b] = [uuidv7(), uuidv7()];
      const refused = uuidv7();
      const { handler } = recording(db, group, topic, (e) => e.id === refused && !broken.fixed);
      const processor = new EventProcessor(handler, under.create(), { retry: TEST_RETRY });
      let offset = 0;
      const message = (caseId: string, v: number, id = uuidv7()): DeliveredMessage => ({
        ...toBinaryMessage(topic, cloudEvent(caseId, v, id)),
        partition: 0,
        offset: String((offset += 1)),
      });
      try {
        // Case A's second event fails for good; A's third comes in the same batch, A's
        // fourth in a later one. Case B is untouched throughout.
        const first = [
          message(a, 1),
          message(b, 1),
          message(a, 2, refused),
          message(b, 2),
          message(a, 3),
        ];
        expect(await processor.handleBatch(batchOf(first))).toBe(first.length);
        const later = [message(b, 3), message(a, 4)];
        expect(await processor.handleBatch(batchOf(later))).toBe(later.length);

        const rows = await applied(db);
        expect(rows.filter((r) => r.case_id === b).map((r) => r.stream_version)).toEqual([1, 2, 3]);
        expect(rows.filter((r) => r.case_id === a).map((r) => r.stream_version)).toEqual([1]);
        expect(await processor.parkedCases()).toEqual([
          expect.objectContaining({
            caseId: a,
            events: 3,
            error: expect.stringContaining(refused),
          }),
        ]);
        expect((await processor.parkedEvents(a)).map((e) => [e.reason, e.eventId])).toEqual([
          ['failed', refused],
          ['held', first[4]!.headers['ce_id']],
          ['held', later[1]!.headers['ce_id']],
        ]);
        await eventually(() =>
          expect(dlq.parked.map((m) => m.headers['ce_id'])).toEqual([refused]),
        );

        // Replaying before the fix changes nothing and says why.
        await expect(processor.replay(a)).rejects.toThrow(refused);
        expect(await processor.parkedEvents(a)).toHaveLength(3);

        broken.fixed = true;
        expect(await processor.replay(a)).toEqual({ replayed: 3, skipped: 0 });
        expect(await processor.parkedCases()).toEqual([]);
        const after = await applied(db);
        expect(after.filter((r) => r.case_id === a).map((r) => r.stream_version)).toEqual([
          1, 2, 3, 4,
        ]);
        // The case flows again: its next event is applied, not held.
        expect(await processor.handleBatch(batchOf([message(a, 5)]))).toBe(1);
        expect((await applied(db)).filter((r) => r.case_id === a)).toHaveLength(5);
        expect(await processor.parkedCount()).toEqual({ events: 0, cases: 0 });
      } finally {
        await processor.stop();
        await dlq.close();
        await dropConsumer(db);
      }
    });

    it('applies nothing twice when killed (SIGKILL) between a batch commit and the offset commit', async () => {
      // A member that dies holds its group's next rebalance until the broker gives up on it;
      // on Kafka that happens on a broker of this spec's own, not the run's shared one.
      const own = under.name === 'kafka' ? await startMockKafka({ brokers: 1 }) : undefined;
      const crashUnder = own
        ? kafkaUnderTest({ kafkaBrokers: own.bootstrap, kafkaControl: own.control.url })
        : under;
      const suffix = uuidv7().slice(-12);
      const topic = `${CASE_EVENTS_TOPIC}.k${suffix}`;
      const group = `k${suffix}`;
      await crashUnder.prepareTopics([topic, deadLetterTopic(group)]);
      const db = await consumerDb();
      const producer = await startProducer('intake');
      const relay = new OutboxRelay({
        pool: producer.db.pool,
        schema: producer.store.schema,
        service: 'intake',
        transport: crashUnder.create(),
        pollIntervalMs: 20,
      });
      let successor: EventProcessor | undefined;
      try {
        const ids = await appendCases(producer.store, topic, 10, 10);
        relay.start();
        await eventually(async () => expect(await relay.backlog()).toBe(0));
        const child = spawnCrashConsumer({
          databaseUrl: testInfra().databaseUrl,
          schema: db.schema,
          group,
          topic,
          transport: crashUnder.reach,
          killAfterBatches: 1,
          maxBatchSize: 7,
        });
        const exit = await child;
        expect(exit.signal).toBe('SIGKILL');
        const before = await applied(db);
        expect(before.length).toBeGreaterThan(0);
        expect(before.length).toBeLessThan(ids.length);

        // A new member of the group takes over from the committed offset, which is behind
        // what the dead one committed to the database.
        const { handler } = recording(db, group, topic);
        successor = new EventProcessor(handler, crashUnder.create(), { retry: TEST_RETRY });
        await successor.start();
        await eventually(async () => expect(await applied(db)).toHaveLength(ids.length), 60_000);
        const rows = await applied(db);
        expect(new Set(rows.map((r) => r.event_id)).size).toBe(ids.length);
        expect(new Set(rows.map((r) => r.event_id))).toEqual(new Set(ids));
      } finally {
        await successor?.stop();
        await relay.stop();
        await dropConsumer(db);
        await dropProducer(producer.db, producer.store.schema, admin);
        if (own) {
          await crashUnder.close();
          await own.stop();
        }
      }
    }, 150_000);

    it(`brings ${(volumeCases * 10).toLocaleString('en')} events to three groups in per-case order, with inbox and positions agreeing`, async () => {
      const { topic, group } = await isolate();
      const groups = [`${group}-a`, `${group}-b`, `${group}-c`];
      const producer = await startProducer('intake');
      const relay = new OutboxRelay({
        pool: producer.db.pool,
        schema: producer.store.schema,
        service: 'intake',
        transport: under.create(),
        pollIntervalMs: 20,
      });
      const dbs = await Promise.all(groups.map(() => consumerDb()));
      const processors = groups.map(
        (g, i) => new EventProcessor(recording(dbs[i]!, g, topic).handler, under.create()),
      );
      // The last offset of each partition, as a plain observer of the topic sees it.
      const lastOffset = new Map<number, bigint>();
      const observer = await under.create().subscribe({
        group: `${group}-observer`,
        topics: [topic],
        handle: eachMessage((m) => {
          lastOffset.set(m.partition, BigInt(m.offset));
        }),
      });
      try {
        await Promise.all(processors.map((p) => p.start()));
        relay.start();
        const ids = await appendCases(producer.store, topic, volumeCases, 10);
        // A bound on a busy machine, not a speed check: the relay sends each partition on
        // its own since the leader-move fix (ADR 0003), and 10,000 events on the mock
        // broker took over 120 s at load average 11.
        for (const db of dbs) {
          await eventually(async () => expect(await applied(db)).toHaveLength(ids.length), 300_000);
        }
        for (const [i, db] of dbs.entries()) {
          const rows = await applied(db);
          expect(new Set(rows.map((r) => r.event_id)).size).toBe(ids.length);
          expectPerCaseOrder(rows);
          const inbox = await db.pool.query<{ n: string }>(
            `select count(*) as n from "${db.schema}".inbox where consumer = $1`,
            [groups[i]],
          );
          expect(Number(inbox.rows[0]!.n)).toBe(ids.length);
          await eventually(async () => {
            const { rows: positions } = await db.pool.query<{
              partition: number;
              position: string;
            }>(`select partition, position from "${db.schema}".checkpoints where processor = $1`, [
              groups[i],
            ]);
            expect(new Map(positions.map((p) => [p.partition, BigInt(p.position)]))).toEqual(
              lastOffset,
            );
          });
        }
      } finally {
        await observer.close();
        await Promise.all(processors.map((p) => p.stop()));
        await relay.stop();
        await Promise.all(dbs.map((db) => dropConsumer(db)));
        await dropProducer(producer.db, producer.store.schema, admin);
      }
    }, 420_000);
  });
}

const cloudEvent = (caseId: string, version: number, id = uuidv7()): CloudEvent => ({
  specversion: '1.0',
  id,
  source: ceSource('intake'),
  type: ceType('intake', version === 1 ? 'CaseRegistered' : 'CaseNoted', 1),
  time: new Date().toISOString(),
  subject: caseId,
  datacontenttype: 'application/json',
  actor: 'u1',
  correlationid: caseId,
  streamversion: version,
  data: { caseId, version },
});

/** `cases` streams of `perCase` events, appended 50 streams at a time; returns the ids. */
const appendCases = async (
  store: Awaited<ReturnType<typeof startProducer>>['store'],
  topic: string,
  cases: number,
  perCase: number,
): Promise<string[]> => {
  const ids: string[] = [];
  const one = async () => {
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
            type: v === 0 ? 'CaseRegistered' : 'CaseNoted',
            data: { caseId, v },
            metadata: { actor: 'u1', correlationId: caseId, occurredAt: new Date().toISOString() },
          },
        ],
      });
    }
  };
  for (let c = 0; c < cases; c += 50) {
    await Promise.all(Array.from({ length: Math.min(50, cases - c) }, one));
  }
  return ids;
};

/**
 * Builds the libraries once per Jest run (both workers of a run share the parent's pid)
 * and starts `crash-consumer.js` from the build. A worker builds into a directory of its
 * own and renames it into place, so two building at once never read a half-written one.
 */
const spawnCrashConsumer = (
  config: object,
): Promise<{ code: number | null; signal: string | null }> => {
  const run = process.env['JEST_WORKER_ID'] ? process.ppid : process.pid;
  const out = join(ROOT, 'dist', 'spec-builds', `processor-${run}`);
  const script = join(out, 'libs/kernel/messaging/src/testing/crash-consumer.js');
  if (!existsSync(script)) {
    const building = `${out}.${process.pid}`;
    // The build's swc config: .swcrc with tsconfig.base.json's aliases.
    const swcrc = execFileSync(process.execPath, ['tools/workspace/aliases.cjs', 'swcrc'], {
      cwd: ROOT,
      encoding: 'utf8',
    }).trim();
    execFileSync(
      join(ROOT, 'node_modules/.bin/swc'),
      ['libs', '-d', building, '--copy-files', '--config-file', swcrc, '-q'],
      { cwd: ROOT, stdio: 'inherit' },
    );
    try {
      renameSync(building, out);
    } catch {
      // The other worker's build got there first: it is the same code.
      rmSync(building, { recursive: true, force: true });
    }
  }
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, CRASH_CONSUMER: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return new Promise((resolveExit) =>
    child.once('exit', (code, signal) => resolveExit({ code, signal })),
  );
};
