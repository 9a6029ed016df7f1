import { Kafka, logLevel, type Admin, type Consumer, type IHeaders, type Producer } from 'kafkajs';
import type { TransportMessage } from '@casegrid/contracts';
import { uuidv7 } from '@casegrid/kernel';
import { tracedHandler } from './consumer-span';
import { deliver, DEFAULT_RETRY, type RetryPolicy } from './delivery';
import { deadLetterTopic } from '@casegrid/contracts';
import type {
  DeadLetterCount,
  DeliveredMessage,
  PartitionLag,
  Subscription,
  SubscriptionSpec,
  Transport,
} from './transport';
import { Mutex } from './mutex';
import { sleep } from './sleep';

export interface KafkaTransportOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** Distinguishes this process's transactional producer from its sibling instances'. */
  readonly instanceId?: string;
  readonly retry?: RetryPolicy;
  /** Partitions one subscriber works on at once; order within each is kept. */
  readonly partitionsConsumedConcurrently?: number;
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  /** Longest a fetch waits for new messages (bounds how long a stop waits too). */
  readonly maxWaitTimeMs?: number;
  readonly logLevel?: logLevel;
  readonly onError?: (error: unknown, context: string) => void;
}

const header = (headers: IHeaders | undefined): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = first.toString();
  }
  return out;
};

/**
 * Kafka through kafkajs. Publishing uses a transactional producer — idempotent, acks from
 * all in-sync replicas, and each batch atomic — so a relay's batch is either wholly in the
 * log or not at all. (It also works against librdkafka's mock cluster, where kafkajs's
 * plain idempotent producer cannot find the controller; see DESIGN.md, Testing.)
 * Consumers never auto-commit: the offset after a message is committed only once the
 * handler resolved, i.e. after the handler's own transaction committed.
 */
export class KafkaTransport implements Transport {
  readonly kind = 'kafka' as const;
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly admin: Admin;
  private readonly publishing = new Mutex();
  private readonly consumers = new Set<Consumer>();
  /** Per group subscribed here: the partitions the group gave this member at its last join. */
  private readonly assigned = new Map<string, Record<string, number[]>>();
  private connected: Promise<void> | undefined;

  constructor(private readonly options: KafkaTransportOptions) {
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: [...options.brokers],
      logLevel: options.logLevel ?? logLevel.ERROR,
    });
    // kafkajs always sends a transaction's messages idempotently (producer id and epoch
    // from the transaction coordinator, sequence numbers, acks from all in-sync replicas).
    // Its separate `idempotent` flag would fetch a second producer id from the controller
    // at connect, which the mock broker cannot serve — and adds nothing here.
    this.producer = this.kafka.producer({
      transactionalId: `${options.clientId}-${options.instanceId ?? uuidv7()}`,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: true,
    });
    this.admin = this.kafka.admin();
  }

  private connect(): Promise<void> {
    this.connected ??= Promise.all([this.producer.connect(), this.admin.connect()]).then(
      () => undefined,
      (error: unknown) => {
        this.connected = undefined;
        throw error;
      },
    );
    return this.connected;
  }

  async publish(messages: readonly TransportMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.connect();
    const byTopic = new Map<
      string,
      { key: string; value: string; headers: Record<string, string> }[]
    >();
    for (const m of messages) {
      const list = byTopic.get(m.topic) ?? [];
      list.push({ key: m.key, value: m.value, headers: { ...m.headers } });
      byTopic.set(m.topic, list);
    }
    // One transaction at a time per producer: the mutex orders the relays sharing it.
    await this.publishing.run(async () => {
      const transaction = await this.producer.transaction();
      try {
        await transaction.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, list]) => ({ topic, messages: list })),
        });
        await transaction.commit();
      } catch (error) {
        await transaction.abort().catch(() => undefined);
        throw error;
      }
    });
  }

  async subscribe(spec: SubscriptionSpec): Promise<Subscription> {
    const stopped = new AbortController();
    this.assigned.set(spec.group, {});
    let member: Consumer | undefined;
    let rejoins = 0;
    const join = async (): Promise<void> => {
      const consumer = this.kafka.consumer({
        groupId: spec.group,
        sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
        heartbeatInterval: this.options.heartbeatIntervalMs ?? 3_000,
        maxWaitTimeInMs: this.options.maxWaitTimeMs ?? 1_000,
        allowAutoTopicCreation: true,
      });
      member = consumer;
      this.consumers.add(consumer);
      consumer.on(consumer.events.GROUP_JOIN, (event) => {
        rejoins = 0;
        this.assigned.set(spec.group, event.payload.memberAssignment);
      });
      consumer.on(consumer.events.CRASH, (event) => {
        // kafkajs restarts a consumer itself after an error it deems retriable. After one it
        // deems final (a rebalance that outlasts the join's retries, or one that meets an
        // offset commit) it leaves the consumer stopped, and this service would go on
        // answering as healthy while no longer consuming. A new member takes its place.
        // Nothing is lost or done twice: offsets are committed only after the handler's own
        // transaction, so the new member starts from the group's committed position, and
        // the inbox absorbs a message handled but not yet committed.
        if (event.payload.restart || stopped.signal.aborted) return;
        this.options.onError?.(event.payload.error, `${spec.group} stopped; joining again`);
        this.consumers.delete(consumer);
        rejoins += 1;
        const backoff = Math.min(30_000, 500 * 2 ** Math.min(rejoins, 6));
        void sleep(backoff, stopped.signal).then(async () => {
          if (stopped.signal.aborted) return;
          // A join that fails on its own crashes the new member, which lands here again.
          await join().catch((error: unknown) =>
            this.options.onError?.(error, `${spec.group} could not join again`),
          );
        });
      });
      await consumer.connect();
      await consumer.subscribe({ topics: [...spec.topics], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
        eachMessage: async (payload) => {
          const { topic, partition, message } = payload;
          const delivered: DeliveredMessage = {
            topic,
            partition,
            offset: message.offset,
            key: message.key?.toString() ?? '',
            headers: header(message.headers),
            value: message.value?.toString() ?? '',
          };
          const outcome = await deliver(
            spec.group,
            delivered,
            tracedHandler(spec.group, spec.handle),
            {
              deadLetter: (record) => this.publish([record]),
              sleep: (ms) => sleepWithHeartbeat(ms, () => payload.heartbeat(), stopped.signal),
              running: () => !stopped.signal.aborted,
              onError: (error) =>
                this.options.onError?.(
                  error,
                  `${spec.group} ${topic}/${partition}@${message.offset}`,
                ),
            },
            this.options.retry ?? DEFAULT_RETRY,
          );
          // 'stopped' commits nothing: the message is delivered again after the restart.
          if (outcome === 'stopped') return;
          await consumer.commitOffsets([
            { topic, partition, offset: (BigInt(message.offset) + 1n).toString() },
          ]);
        },
      });
    };
    await join();
    return {
      close: async () => {
        stopped.abort();
        if (member) {
          await member.disconnect();
          this.consumers.delete(member);
        }
        this.assigned.delete(spec.group);
      },
    };
  }

  /**
   * From the admin API: each held partition's high watermark less the group's committed
   * offset. Transaction markers count as messages, so an idle partition may show 1.
   */
  async lag(): Promise<PartitionLag[]> {
    await this.connect();
    const out: PartitionLag[] = [];
    for (const [group, byTopic] of this.assigned) {
      for (const [topic, partitions] of Object.entries(byTopic)) {
        if (partitions.length === 0) continue;
        const [ends, committed] = await Promise.all([
          this.admin.fetchTopicOffsets(topic),
          this.admin.fetchOffsets({ groupId: group, topics: [topic] }),
        ]);
        const positions = new Map(
          (committed[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]),
        );
        for (const partition of partitions) {
          const end = ends.find((e) => e.partition === partition);
          if (!end) continue;
          const low = BigInt(end.low);
          const position = positions.get(partition) ?? -1n;
          const from = position < low ? low : position;
          out.push({ group, topic, partition, lag: Number(BigInt(end.high) - from) });
        }
      }
    }
    return out;
  }

  async deadLetters(): Promise<DeadLetterCount[]> {
    await this.connect();
    const out: DeadLetterCount[] = [];
    for (const group of this.assigned.keys()) {
      const topic = deadLetterTopic(group);
      const ends = await this.admin.fetchTopicOffsets(topic).catch(() => []);
      const messages = ends.reduce((n, e) => n + Number(BigInt(e.high) - BigInt(e.low)), 0);
      out.push({ group, messages });
    }
    return out;
  }

  async check(): Promise<void> {
    await this.connect();
    await this.admin.describeCluster();
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((c) => c.disconnect()));
    await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
    this.connected = undefined;
  }
}

/** Waits between retries while keeping the group membership alive. */
const sleepWithHeartbeat = async (
  ms: number,
  heartbeat: () => Promise<void>,
  signal: AbortSignal,
): Promise<void> => {
  const until = Date.now() + ms;
  while (!signal.aborted && Date.now() < until) {
    await sleep(Math.min(1000, until - Date.now()), signal);
    await heartbeat().catch(() => undefined);
  }
};
