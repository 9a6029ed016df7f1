import { deadLetterTopic, MalformedMessageError, type TransportMessage } from '@casegrid/contracts';
import { isCasegridError } from '@casegrid/kernel';
import type { DeliveredMessage, MessageHandler } from './transport';

export interface RetryPolicy {
  /** Attempts for an error that may be a bug or bad data, before the DLQ. */
  readonly maxAttempts: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 5,
  initialBackoffMs: 100,
  maxBackoffMs: 30_000,
};

export type ErrorClass = 'poison' | 'transient' | 'unknown';

// SQLSTATE classes that say "the database is unavailable or busy", not "this message is
// bad": connection exceptions, insufficient resources, operator intervention, and
// serialization failures/deadlocks.
const TRANSIENT_SQLSTATE = /^(08|53|57|58)|^40001$|^40P01$/;
const TRANSIENT_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND']);

/**
 * Poison never succeeds (unreadable message, or a domain rejection that is not
 * retryable): straight to the DLQ. Transient is the infrastructure failing: retried for as
 * long as it takes, holding the partition, because parking it would break the order of
 * everything behind it. Anything else gets `maxAttempts`.
 */
export const classifyError = (error: unknown): ErrorClass => {
  if (error instanceof MalformedMessageError) return 'poison';
  if (isCasegridError(error)) {
    if (error.code === 'unavailable') return 'transient';
    return error.retryable ? 'unknown' : 'poison';
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (TRANSIENT_SQLSTATE.test(code) || TRANSIENT_ERRNO.has(code))) {
    return 'transient';
  }
  if (
    error instanceof Error &&
    /Connection terminated|timeout exceeded when trying to connect/i.test(error.message)
  ) {
    return 'transient';
  }
  return 'unknown';
};

export const backoffMs = (policy: RetryPolicy, attempt: number): number =>
  Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** (attempt - 1));

const errorCode = (error: unknown): string => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' || typeof code === 'number' ? String(code) : 'error';
};

export const deadLetterMessage = (
  group: string,
  message: DeliveredMessage,
  error: unknown,
  attempts: number,
  now: Date,
): TransportMessage => ({
  topic: deadLetterTopic(group),
  key: message.key,
  value: message.value,
  headers: {
    ...message.headers,
    dlq_original_topic: message.topic,
    dlq_original_partition: String(message.partition),
    dlq_original_offset: message.offset,
    dlq_consumer_group: group,
    dlq_attempts: String(attempts),
    dlq_failed_at: now.toISOString(),
    dlq_error_code: errorCode(error),
    dlq_error_message: (error instanceof Error ? error.message : String(error)).slice(0, 1000),
  },
});

export interface DeliveryHooks {
  /** Publishes the DLQ record durably; the caller commits the position afterwards. */
  readonly deadLetter: (record: TransportMessage) => Promise<void>;
  /** Resolves after `ms`, early (and then `running()` is false) when the subscriber stops. */
  readonly sleep: (ms: number) => Promise<void>;
  readonly running: () => boolean;
  readonly onError?: (error: unknown, attempt: number, errorClass: ErrorClass) => void;
}

export type DeliveryOutcome = 'handled' | 'dead-lettered' | 'stopped';

/**
 * The one retry/DLQ policy, shared by every transport: `handle` until it succeeds, park the
 * message when it cannot, or give up quietly when the subscriber stops (the position is
 * then not moved, so the message comes again).
 */
export const deliver = async (
  group: string,
  message: DeliveredMessage,
  handle: MessageHandler,
  hooks: DeliveryHooks,
  policy: RetryPolicy = DEFAULT_RETRY,
): Promise<DeliveryOutcome> => {
  for (let attempt = 1; ; attempt += 1) {
    if (!hooks.running()) return 'stopped';
    try {
      await handle(message);
      return 'handled';
    } catch (error) {
      const errorClass = classifyError(error);
      hooks.onError?.(error, attempt, errorClass);
      if (errorClass === 'poison' || (errorClass === 'unknown' && attempt >= policy.maxAttempts)) {
        await hooks.deadLetter(deadLetterMessage(group, message, error, attempt, new Date()));
        return 'dead-lettered';
      }
      await hooks.sleep(backoffMs(policy, Math.min(attempt, 20)));
    }
  }
};
