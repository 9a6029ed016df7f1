import { logLevel } from 'kafkajs';
import { startMockKafka, waitUntil, type MockKafka } from '@casegrid/testing';
import { KafkaTransport } from './kafka-transport';
import { eachMessage, type Subscription } from './transport';

const TOPIC = 'casegrid.leader-test';

/**
 * A relay batch spans partitions led by several brokers. When a leader moves while the
 * batch is sent, every message must still reach the log: the relay deletes its outbox rows
 * once `publish` resolves, so a message the transport drops is lost for good. Leaders move
 * cluster-wide, so the spec runs a broker of its own.
 */
describe('KafkaTransport when a partition leader moves under a publish', () => {
  let broker: MockKafka;
  let transport: KafkaTransport;
  let subscription: Subscription | undefined;

  beforeAll(async () => {
    broker = await startMockKafka({ brokers: 2, topics: [{ name: TOPIC, partitions: 2 }] });
    transport = new KafkaTransport({
      brokers: broker.bootstrap,
      clientId: 'leader-test',
      logLevel: logLevel.NOTHING,
      sessionTimeoutMs: 6_000,
      heartbeatIntervalMs: 500,
    });
  });
  afterAll(async () => {
    await subscription?.close();
    await transport.close();
    await broker.stop();
  });

  const message = (partition: number, value: string) => ({
    topic: TOPIC,
    partition,
    key: `case-${partition}`,
    headers: {},
    value,
  });

  it('publishes the messages of a partition whose new leader had already answered for another', async () => {
    await broker.control.setPartitionLeader(TOPIC, 0, 1);
    await broker.control.setPartitionLeader(TOPIC, 1, 2);
    // The producer learns the leaders: partition 0 on broker 1, partition 1 on broker 2.
    await transport.publish([message(0, 'first-0'), message(1, 'first-1')]);
    // Partition 0 moves to broker 2 before the producer hears of it: the next batch sends
    // partition 0 to broker 1, which refuses it (not the leader), and partition 1 to
    // broker 2, which takes it. The retry must send partition 0 to broker 2.
    await broker.control.setPartitionLeader(TOPIC, 0, 2);
    await transport.publish([message(0, 'moved'), message(1, 'stayed')]);

    const handled: string[] = [];
    subscription = await transport.subscribe({
      group: 'leader-test',
      topics: [TOPIC],
      handle: eachMessage((m) => {
        handled.push(m.value);
      }),
    });
    await waitUntil(() => handled.includes('stayed') && handled.includes('first-0'), {
      what: 'the batches consumed',
      timeoutMs: 30_000,
    });
    // Both partitions are read to their end by now (each was read past its first message).
    await waitUntil(() => handled.includes('moved'), {
      what: 'the message whose partition moved',
      timeoutMs: 10_000,
    });
    expect([...handled].sort()).toEqual(['first-0', 'first-1', 'moved', 'stayed']);
  }, 90_000);
});
