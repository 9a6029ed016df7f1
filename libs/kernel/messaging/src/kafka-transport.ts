import { setMaxListeners } from 'node:events';
import {
  Kafka,
  logLevel,
  Partitioners,
  type Admin,
  type Consumer,
  type IHeaders,
  type Producer,
} from 'kafkajs';
import type { TransportMessage } from '@casegrid/contracts';
import { uuidv7 } from '@casegrid/kernel';
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
  /** Partitions one subscriber works on at once; order within each is kept. */
  readonly partitionsConsumedConcurrently?: number;
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  /** Longest a fetch waits for new messages (bounds how long a stop waits too). */
  readonly maxWaitTimeMs?: number;
  /**
   * How long a request may go unanswered before kafkajs gives up on it and retries
   * (default kafkajs's 30 s). A JoinGroup legitimately waits up to the group's rebalance
   * timeout, so keep it above the members' session timeouts.
   */
  readonly requestTimeoutMs?: number;
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
  private readonly transactionalId: string;
  /** The producer in use; discarded after any failed transaction (see publish). */
  private producer: Promise<Producer> | undefined;
  private readonly admin: Admin;
  private readonly publishing = new Mutex();
  /** Partitions per topic, for the partitioner (cleared after a failed publish). */
  private readonly partitionCounts = new Map<string, number>();
  private readonly partitioner = Partitioners.DefaultPartitioner();
  private readonly consumers = new Set<Consumer>();
  /** Per group subscribed here: the partitions the group gave this member at its last join. */
  private readonly assigned = new Map<string, Record<string, number[]>>();
  private connected: Promise<void> | undefined;
  /** Set by close(): no member of this transport joins or restarts after it. */
  private readonly closed = new AbortController();

  constructor(private readonly options: KafkaTransportOptions) {
    // One listener per subscription (a process has a dozen groups): not a leak.
    setMaxListeners(0, this.closed.signal);
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: [...options.brokers],
      logLevel: options.logLevel ?? logLevel.ERROR,
      ...(options.requestTimeoutMs ? { requestTimeout: options.requestTimeoutMs } : {}),
    });
    // kafkajs always sends a transaction's messages idempotently (producer id and epoch
    // from the transaction coordinator, sequence numbers, acks from all in-sync replicas).
    // Its separate `idempotent` flag would fetch a second producer id from the controller
    // at connect, which the mock broker cannot serve — and adds nothing here.
    this.transactionalId = `${options.clientId}-${options.instanceId ?? uuidv7()}`;
    this.admin = this.kafka.admin();
  }

  private connect(): Promise<void> {
    this.connected ??= this.admin.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    return this.connected;
  }

  /**
   * The transactional producer, connected. Its id is stable per process, so a new one
   * started after a failure fences the old epoch at the coordinator (InitProducerId) and any
   * transaction the old one left open is aborted there, never half-committed.
   */
  private connectedProducer(): Promise<Producer> {
    this.producer ??= (async () => {
      const producer = this.kafka.producer({
        transactionalId: this.transactionalId,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: true,
      });
      await producer.connect();
      return producer;
    })().catch((error: unknown) => {
      this.producer = undefined;
      throw error;
    });
    return this.producer;
  }

  /**
   * After a failed send, commit or abort, kafkajs can leave the producer in a state no
   * later `transaction()` leaves (COMMITTING after an EndTxn error: kafkajs #1275, #1282),
   * and every publish after it would fail for good. The producer is therefore never
   * reused after a failure: it is disconnected and the next publish starts a new one.
   */
  private async discardProducer(producer: Producer): Promise<void> {
    if (this.producer && (await this.producer.catch(() => undefined)) === producer) {
      this.producer = undefined;
    }
    await producer.disconnect().catch(() => undefined);
  }

  /**
   * Each partition's messages go in a send of their own, one after the other, in one
   * transaction. kafkajs sends a batch as one request per leader broker and, after an error,
   * sends again only to the brokers that have not answered yet, computed from fresh
   * metadata: when a partition's leader moved to a broker that had already answered for
   * another partition, that partition's messages are never sent, and the transaction
   * commits without them (a relay batch lost during a leader move, found by `npm run
   * faults`). A send of one partition has one broker at a time, so its retry goes to the
   * new leader.
   */
  async publish(messages: readonly TransportMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const byPartition = new Map<
      string,
      {
        topic: string;
        messages: {
          key: string;
          value: string;
          headers: Record<string, string>;
          partition: number;
        }[];
      }
    >();
    for (const m of messages) {
      const partition = await this.partitionOf(m);
      const slot = `${m.topic}\n${partition}`;
      const entry = byPartition.get(slot) ?? { topic: m.topic, messages: [] };
      entry.messages.push({ key: m.key, value: m.value, headers: { ...m.headers }, partition });
      byPartition.set(slot, entry);
    }
    // One transaction at a time per producer: the mutex orders the relays sharing it.
    await this.publishing.run(async () => {
      const producer = await this.connectedProducer();
      let transaction: Awaited<ReturnType<Producer['transaction']>> | undefined;
      try {
        transaction = await producer.transaction();
        for (const { topic, messages: list } of byPartition.values()) {
          await transaction.send({ topic, acks: -1, messages: list });
        }
        await transaction.commit();
      } catch (error) {
        // Nothing of the batch is visible to read_committed consumers unless the commit
        // succeeded; the caller publishes the batch again (the relay keeps its rows).
        await transaction?.abort().catch(() => undefined);
        await this.discardProducer(producer);
        // The topic may have gained partitions: the next attempt asks again.
        this.partitionCounts.clear();
        throw error;
      }
    });
  }

  /** The partition kafkajs's default partitioner gives the message (murmur2 of its key). */
  private async partitionOf(message: TransportMessage): Promise<number> {
    if (message.partition !== undefined) return message.partition;
    let count = this.partitionCounts.get(message.topic);
    if (count === undefined) {
      count = await this.partitions(message.topic);
      if (count < 1) throw new Error(`no partitions of ${message.topic} are known`);
      this.partitionCounts.set(message.topic, count);
    }
    const partitionMetadata = Array.from({ length: count }, (_, partitionId) => ({
      partitionErrorCode: 0,
      partitionId,
      leader: 0,
      replicas: [],
      isr: [],
    }));
    return this.partitioner({
      topic: message.topic,
      partitionMetadata,
      message: { key: message.key, value: message.value },
    });
  }

  async subscribe(spec: SubscriptionSpec): Promise<Subscription> {
    const stopped = new AbortController();
    const onClose = () => stopped.abort();
    this.closed.signal.addEventListener('abort', onClose, { once: true });
    this.assigned.set(spec.group, {});
    let member: Consumer | undefined;
    let rejoins = 0;
    // Whether this process has a member in the group that kafkajs has not given up on, and
    // since when that is so (readiness: a group without one for its session timeout is not
    // consuming, whatever the broker says).
    const health = { working: false, since: new Date() };
    const setWorking = (working: boolean): void => {
      if (health.working !== working) Object.assign(health, { working, since: new Date() });
    };
    /**
     * A new member after one kafkajs stopped for good, tried again with backoff (1 s
     * doubling to 30 s) for as long as it takes: a join that fails before kafkajs runs the
     * consumer (connect or subscribe refused: the broker is away) crashes nothing, so
     * nothing else would try again.
     */
    const rejoin = async (): Promise<void> => {
      while (!stopped.signal.aborted) {
        rejoins += 1;
        await sleep(Math.min(30_000, 500 * 2 ** Math.min(rejoins, 6)), stopped.signal);
        if (stopped.signal.aborted) return;
        try {
          await join();
          return;
        } catch (error) {
          this.options.onError?.(error, `${spec.group} could not join again`);
          await member?.disconnect().catch(() => undefined);
        }
      }
    };
    const join = async (): Promise<void> => {
      const consumer = this.kafka.consumer({
        groupId: spec.group,
        sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
        // How long a rebalance waits for a member to join again. A member only has to
        // finish its batch transaction (heartbeats go on meanwhile), so the session timeout
        // is plenty; kafkajs's 60 s default let one dead member hold a group's rebalance
        // (and every partition of it) for a minute.
        rebalanceTimeout: this.options.sessionTimeoutMs ?? 30_000,
        heartbeatInterval: this.options.heartbeatIntervalMs ?? 3_000,
        maxWaitTimeInMs: this.options.maxWaitTimeMs ?? 1_000,
        allowAutoTopicCreation: true,
        // kafkajs schedules its own restart after a retriable crash, and a crash can come
        // after disconnect(): a join still retrying its connect when the member is closed
        // fails later and would start the member again, for ever, in a process (or test)
        // that has moved on. Once closed, a crash is final.
        retry: { restartOnFailure: async () => !stopped.signal.aborted },
      });
      member = consumer;
      this.consumers.add(consumer);
      consumer.on(consumer.events.GROUP_JOIN, (event) => {
        rejoins = 0;
        setWorking(true);
        this.assigned.set(spec.group, event.payload.memberAssignment);
      });
      consumer.on(consumer.events.CRASH, (event) => {
        // kafkajs restarts a consumer itself after an error it deems retriable. After one it
        // deems final (a rebalance that outlasts the join's retries, or one that meets an
        // offset commit) it leaves the consumer stopped, and this service would go on
        // answering as healthy while no longer consuming. A new member takes its place.
        // Nothing is lost or done twice: offsets are committed only after the handler's own
        // transaction, so the new member starts from the group's committed position, and
        // the processor's position skips what was applied but not yet committed here.
        if (stopped.signal.aborted) return;
        setWorking(false);
        if (event.payload.restart) return;
        this.options.onError?.(event.payload.error, `${spec.group} stopped; joining again`);
        this.consumers.delete(consumer);
        void rejoin();
      });
      await consumer.connect();
      await consumer.subscribe({ topics: [...spec.topics], fromBeginning: true });
      const max = spec.maxBatchSize ?? 500;
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
        eachBatch: async (payload) => {
          const { batch } = payload;
          const { topic, partition } = batch;
          const heartbeat = () => payload.heartbeat();
          const isActive = () =>
            !stopped.signal.aborted && payload.isRunning() && !payload.isStale();
          const all = batch.messages.map((message): DeliveredMessage => ({
            topic,
            partition,
            offset: message.offset,
            key: message.key?.toString() ?? '',
            headers: header(message.headers),
            value: message.value?.toString() ?? '',
          }));
          for (let from = 0; from < all.length && isActive(); from += max) {
            const messages = all.slice(from, from + max);
            const handled = await spec.handle({ topic, partition, messages, heartbeat, isActive });
            if (handled === 0) return;
            const last = messages[handled - 1]!.offset;
            payload.resolveOffset(last);
            await consumer.commitOffsets([
              { topic, partition, offset: (BigInt(last) + 1n).toString() },
            ]);
            // Fewer than all: stopping, or the partition went elsewhere. The rest comes again.
            if (handled < messages.length) return;
          }
        },
      });
    };
    await join();
    return {
      health: () => ({ ...health }),
      close: async () => {
        stopped.abort();
        this.closed.signal.removeEventListener('abort', onClose);
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

  async partitions(topic: string): Promise<number> {
    await this.connect();
    const { topics } = await this.admin.fetchTopicMetadata({ topics: [topic] });
    return topics[0]?.partitions.length ?? 0;
  }

  async check(): Promise<void> {
    await this.connect();
    await this.admin.describeCluster();
  }

  async close(): Promise<void> {
    this.closed.abort();
    await Promise.all([...this.consumers].map((c) => c.disconnect()));
    const producer = await this.producer?.catch(() => undefined);
    this.producer = undefined;
    await Promise.allSettled([producer?.disconnect(), this.admin.disconnect()]);
    this.connected = undefined;
  }
}
