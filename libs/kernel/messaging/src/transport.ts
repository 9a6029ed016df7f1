import { WATERMARK_HEADER, type TransportMessage } from '@casegrid/contracts';

/** A message as handed to a subscriber, with where it came from (for DLQ records). */
export interface DeliveredMessage extends TransportMessage {
  /** Kafka partition, or 0 on the in-process log. */
  readonly partition: number;
  /**
   * Kafka offset, or the log position, as a decimal string. Within a partition it grows in
   * delivery order on both transports, so "at or below the last applied offset" means
   * "applied before" (the processor's checkpoint rests on that).
   */
  readonly offset: string;
}

/**
 * Consecutive messages of one partition, in partition order, handed to a subscriber at
 * once so that it can apply them in one transaction.
 */
export interface DeliveredBatch {
  readonly topic: string;
  readonly partition: number;
  /** At least one; offsets ascending. */
  readonly messages: readonly DeliveredMessage[];
  /** Keeps the group membership alive during long work (Kafka); a no-op elsewhere. */
  heartbeat(): Promise<void>;
  /**
   * False once the subscriber stops or the partition was taken away from this member: the
   * subscriber should give up the batch (what it committed stays committed).
   */
  isActive(): boolean;
}

/**
 * Handles a batch and resolves with how many of its leading messages are done (their
 * effects committed): the transport moves the group's position past those. Fewer than all
 * (the subscriber is stopping) leaves the rest to be delivered again.
 */
export type BatchHandler = (batch: DeliveredBatch) => Promise<number>;

export interface SubscriptionSpec {
  /** Consumer group: one delivery per group; names the DLQ `<topic>.dlq.<group>`. */
  readonly group: string;
  readonly topics: readonly string[];
  readonly handle: BatchHandler;
  /** Most messages per batch (default 500). */
  readonly maxBatchSize?: number;
}

/** How far a group of this process is behind on one partition it holds. */
export interface PartitionLag {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  /** Messages after the group's committed position (Kafka: to the high watermark). */
  readonly lag: number;
}

/** Messages parked in a group's dead-letter topic. */
export interface DeadLetterCount {
  readonly group: string;
  readonly messages: number;
}

export interface Subscription {
  /**
   * Whether this subscriber is a working member of its group now, and since when that is
   * so. Absent: always (the in-process log, where a standby of another process's group is
   * working as intended).
   */
  health?(): { readonly working: boolean; readonly since: Date };
  close(): Promise<void>;
}

/**
 * The one port services are written against; Kafka and the in-process log both implement
 * it with the same guarantees:
 * - `publish` resolves only once every message is durably accepted, keeps the order of
 *   messages with the same key, and is all-or-nothing for the batch;
 * - a subscriber gets every message at least once, in partition order, in batches, and
 *   the group's position moves past a message only after `handle` said it is done (so
 *   `handle` must commit its own effects first).
 *
 * Retries, the inbox, dead-lettering and checkpoints are the processor's
 * (`processor/event-processor.ts`), the same on both transports.
 */
export interface Transport {
  readonly kind: 'kafka' | 'in-process';
  publish(messages: readonly TransportMessage[]): Promise<void>;
  subscribe(spec: SubscriptionSpec): Promise<Subscription>;
  /** Per group this process consumes and partition it holds now (metrics, assignment). */
  lag(): Promise<PartitionLag[]>;
  /** Per group this process consumes: the size of its dead-letter topic. */
  deadLetters(): Promise<DeadLetterCount[]>;
  /** How many partitions `topic` has (a watermark goes to each). */
  partitions(topic: string): Promise<number>;
  /** Throws when the broker cannot be reached (readiness). */
  check(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A batch handler from a function of one message, for raw observers of a topic (specs,
 * tools): the case events only, producers' watermarks passed over. Consumers with effects
 * are event handlers run by the processor instead.
 */
export const eachMessage =
  (handle: (message: DeliveredMessage) => Promise<void> | void): BatchHandler =>
  async (batch) => {
    for (const message of batch.messages) {
      if (message.headers[WATERMARK_HEADER] === undefined) await handle(message);
    }
    return batch.messages.length;
  };
