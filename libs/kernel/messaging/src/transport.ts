import type { TransportMessage } from '@casegrid/contracts';

/** A message as handed to a subscriber, with where it came from (for DLQ records). */
export interface DeliveredMessage extends TransportMessage {
  /** Kafka partition, or 0 on the in-process log. */
  readonly partition: number;
  /** Kafka offset, or the log position, as a decimal string. */
  readonly offset: string;
}

export type MessageHandler = (message: DeliveredMessage) => Promise<void>;

export interface SubscriptionSpec {
  /** Consumer group: one delivery per group; names the DLQ `<topic>.dlq.<group>`. */
  readonly group: string;
  readonly topics: readonly string[];
  readonly handle: MessageHandler;
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
  close(): Promise<void>;
}

/**
 * The one port services are written against; Kafka and the in-process log both implement
 * it with the same guarantees:
 * - `publish` resolves only once every message is durably accepted, keeps the order of
 *   messages with the same key, and is all-or-nothing for the batch;
 * - a subscriber gets every message at least once, in key order, and its position moves
 *   on only after `handle` resolved (so `handle` must commit its own effects first);
 * - a failing message is retried with backoff and, when it cannot succeed, parked in the
 *   group's dead-letter topic without stopping the messages behind it.
 */
export interface Transport {
  readonly kind: 'kafka' | 'in-process';
  publish(messages: readonly TransportMessage[]): Promise<void>;
  subscribe(spec: SubscriptionSpec): Promise<Subscription>;
  /** Per group this process consumes and partition it holds now (metrics, assignment). */
  lag(): Promise<PartitionLag[]>;
  /** Per group this process consumes: the size of its dead-letter topic. */
  deadLetters(): Promise<DeadLetterCount[]>;
  /** Throws when the broker cannot be reached (readiness). */
  check(): Promise<void>;
  close(): Promise<void>;
}
