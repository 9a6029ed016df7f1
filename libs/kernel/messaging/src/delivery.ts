import { deadLetterTopic, MalformedMessageError, type TransportMessage } from '@casegrid/contracts';
import { isCasegridError } from '@casegrid/kernel';
import { isConnectionLoss } from '@casegrid/event-store';
import type { DeliveredMessage } from './transport';

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
 * retryable): straight to the DLQ. Transient is the infrastructure failing, or another
 * writer of the same stream getting there first (deciding again on fresh state is all a
 * conflict asks): retried for as long as it takes, holding the partition, because parking
 * it would break the order of everything behind it. Anything else gets `maxAttempts`.
 */
export const classifyError = (error: unknown): ErrorClass => {
  if (error instanceof MalformedMessageError) return 'poison';
  if (isCasegridError(error)) {
    if (error.code === 'unavailable' || error.code === 'concurrency_conflict') return 'transient';
    return error.retryable ? 'unknown' : 'poison';
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (TRANSIENT_SQLSTATE.test(code) || TRANSIENT_ERRNO.has(code))) {
    return 'transient';
  }
  return isConnectionLoss(error) ? 'transient' : 'unknown';
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
