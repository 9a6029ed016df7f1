import type { Refusal } from './refusals';

/**
 * The small, typed family of errors a command may end in (STYLE.md, Errors). Each has a
 * stable string `code`: `instanceof` does not survive Kafka or a process boundary, a code
 * does. Edges map codes to HTTP (problem+json) and to Kafka retry/DLQ, each in one place.
 */
export type ErrorCode =
  | 'validation_failed'
  | 'illegal_state'
  | 'not_found'
  | 'concurrency_conflict'
  | 'forbidden'
  | 'unavailable';

export interface FieldError {
  readonly field: string;
  readonly message: string;
}

export abstract class CasegridError extends Error {
  abstract readonly code: ErrorCode;
  /** Whether trying the same thing again may succeed (drives consumer retries). */
  readonly retryable: boolean = false;
}

export class ValidationError extends CasegridError {
  readonly code = 'validation_failed' as const;
  constructor(readonly errors: readonly FieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
  }
}

/**
 * A command that is not allowed from the case's current state: `refusal` names the rule,
 * the message says why in words (and where the case stands).
 */
export class IllegalStateError extends CasegridError {
  readonly code = 'illegal_state' as const;
  constructor(
    message: string,
    /** Which rule refused it (`REFUSALS`); over HTTP the problem's `code`. */
    readonly refusal: Refusal,
  ) {
    super(message);
  }
}

export class NotFoundError extends CasegridError {
  readonly code = 'not_found' as const;
}

export class ForbiddenError extends CasegridError {
  readonly code = 'forbidden' as const;
}

/**
 * The stream moved on since the caller read it. Deciding again on fresh state may succeed,
 * so it is retryable; over HTTP it is a 409 (or 412 when the caller sent If-Match).
 */
export class ConcurrencyError extends CasegridError {
  readonly code = 'concurrency_conflict' as const;
  override readonly retryable = true;
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number | 'any',
    readonly actualVersion: number,
  ) {
    super(`stream ${streamId} is at version ${actualVersion}, expected ${String(expectedVersion)}`);
  }
}

/**
 * Something this service depends on is not there yet (reference data still replicating
 * after a first start): nothing is wrong with the request or the message, and the same
 * thing later will succeed. Consumers hold the message and retry; HTTP answers 503.
 */
export class UnavailableError extends CasegridError {
  readonly code = 'unavailable' as const;
  override readonly retryable = true;
}

const CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'unavailable',
  'validation_failed',
  'illegal_state',
  'not_found',
  'concurrency_conflict',
  'forbidden',
]);

/** Ours by code, not by class: PostgreSQL and Node errors carry a string `code` too. */
export const isCasegridError = (e: unknown): e is CasegridError =>
  e instanceof Error && CODES.has((e as { code?: unknown }).code as string);
