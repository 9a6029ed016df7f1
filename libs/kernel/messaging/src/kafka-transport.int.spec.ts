import { logLevel } from 'kafkajs';
import { startMockKafka, waitUntil, type MockKafka } from '@casegrid/testing';
import { KafkaTransport } from './kafka-transport';
import { eachMessage, type Subscription } from './transport';

/** Kafka protocol codes and API keys this spec injects (librdkafka's mock cluster). */
const REBALANCE_IN_PROGRESS = 27;
const NOT_COORDINATOR = 16;
const OFFSET_COMMIT = 8;
const END_TXN = 26;
const TOPIC = 'casegrid.crash-test';

/**
 * A consumer kafkajs gives up on must not leave the service deaf. The faults are
 * cluster-wide, so this spec runs its own broker rather than the run's shared one.
 */
describe('KafkaTransport when kafkajs stops a consumer', () => {
  let broker: MockKafka;
  let transport: KafkaTransport;
  let subscription: Subscription | undefined;
  const errors: string[] = [];

  beforeAll(async () => {
    broker = await startMockKafka({ topics: [{ name: TOPIC, partitions: 1 }] });
    transport = new KafkaTransport({
      brokers: broker.bootstrap,
      clientId: 'crash-test',
      logLevel: logLevel.NOTHING,
      sessionTimeoutMs: 6_000,
      heartbeatIntervalMs: 500,
      onError: (_error, context) => errors.push(context),
    });
  });
  afterAll(async () => {
    await subscription?.close();
    await transport.close();
    await broker.stop();
  });

  const publish = (value: string) =>
    transport.publish([{ topic: TOPIC, key: 'case-1', headers: {}, value }]);

  it('joins the group again when a rebalance meets an offset commit, and loses nothing', async () => {
    const handled: string[] = [];
    subscription = await transport.subscribe({
      group: 'crash-test',
      topics: [TOPIC],
      handle: eachMessage((message) => {
        handled.push(message.value);
        return Promise.resolve();
      }),
    });
    await publish('first');
    await waitUntil(() => handled.includes('first'), { timeoutMs: 30_000 });

    // The commit after the next message is refused as if a rebalance had begun; kafkajs
    // ends that consumer for good (it deems the error final).
    await broker.control.pushRequestErrors(OFFSET_COMMIT, [REBALANCE_IN_PROGRESS]);
    await publish('second');
    await publish('third');
    await waitUntil(() => handled.includes('third'), { timeoutMs: 60_000 });

    expect(errors).toContain('crash-test stopped; joining again');
    // 'second' was handled but not committed when the consumer stopped: it comes again
    // (at least once; the inbox makes that harmless), and nothing is skipped.
    expect(handled.filter((v) => v === 'first')).toHaveLength(1);
    expect(handled.indexOf('second')).toBeLessThan(handled.lastIndexOf('third'));
    expect(handled.filter((v) => v === 'second').length).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('publishes again after a transaction whose commit failed (the producer is replaced)', async () => {
    // EndTxn refused (a coordinator moving in a broker roll): the commit fails, and kafkajs
    // leaves that producer in COMMITTING for good (#1275, #1282).
    await broker.control.pushRequestErrors(END_TXN, [NOT_COORDINATOR]);
    await expect(publish('refused')).rejects.toThrow();
    await expect(publish('after the failure')).resolves.toBeUndefined();
    await expect(publish('and after that')).resolves.toBeUndefined();
  }, 120_000);

  it('keeps trying to join again while the broker is away, says so, and consumes when it is back', async () => {
    await subscription?.close();
    const handled: string[] = [];
    errors.length = 0;
    const group = 'rejoin-test';
    subscription = await transport.subscribe({
      group,
      topics: [TOPIC],
      handle: eachMessage((message) => {
        handled.push(message.value);
      }),
    });
    await publish('before');
    await waitUntil(() => handled.includes('before'), { timeoutMs: 30_000 });
    expect(subscription.health?.().working).toBe(true);

    // kafkajs gives this member up (a rebalance meeting an offset commit)...
    await broker.control.pushRequestErrors(OFFSET_COMMIT, [REBALANCE_IN_PROGRESS]);
    await publish('crashing');
    await waitUntil(() => errors.includes(`${group} stopped; joining again`), {
      timeoutMs: 30_000,
    });
    // ...and the broker goes away before the new member can connect: that join fails on
    // its own, with nothing of kafkajs's to try again.
    await broker.control.brokerDown(-1);
    expect(subscription.health?.().working).toBe(false);
    await waitUntil(() => errors.includes(`${group} could not join again`), { timeoutMs: 60_000 });
    expect(subscription.health?.().working).toBe(false);

    await broker.control.brokerUp(-1);
    await publish('after');
    await waitUntil(() => handled.includes('after'), { timeoutMs: 90_000 });
    expect(subscription.health?.().working).toBe(true);
  }, 180_000);
});
