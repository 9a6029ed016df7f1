import { HttpException } from '@nestjs/common';
import { isCasegridError, type ErrorCode, type FieldError } from '@casegrid/kernel';
import { STATUS_CODES } from 'node:http';
import { TooManyRequestsError } from '../security/rate-limiter';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const PROBLEM_TYPE_BASE = 'https://casegrid.dev/problems/';

/** RFC 9457 problem details, as API.md (Conventions) promises them. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly errors?: readonly FieldError[];
  /**
   * Which rule refused the request (a 409's `Refusal`, e.g. `petition.review_window_closed`):
   * stable, for clients to branch on; `detail` says the same in words.
   */
  readonly code?: string;
}

export interface ProblemContext {
  /** The request was conditional: a version conflict is then a failed precondition (412). */
  readonly ifMatch: boolean;
}

export interface MappedProblem {
  readonly problem: ProblemDetails;
  /** A fault of ours rather than of the request: log it, never show it. */
  readonly unexpected: boolean;
  /** Response headers that belong to the answer (`Retry-After` of a 429). */
  readonly headers?: Readonly<Record<string, string>>;
}

const problem = (
  code: string,
  status: number,
  title: string,
  detail: string,
  errors?: readonly FieldError[],
): ProblemDetails => ({
  type: `${PROBLEM_TYPE_BASE}${code}`,
  title,
  status,
  detail,
  ...(errors === undefined ? {} : { errors }),
});

const FAULT_DETAIL = 'The server could not complete the request. The fault has been logged.';

const INTERNAL: MappedProblem = {
  problem: problem('internal_error', 500, 'Internal server error', FAULT_DETAIL),
  unexpected: true,
};

const DOMAIN: Readonly<Record<ErrorCode, readonly [status: number, title: string]>> = {
  validation_failed: [400, 'Invalid request'],
  not_found: [404, 'Not found'],
  forbidden: [403, 'Forbidden'],
  illegal_state: [409, 'Not allowed in the current state'],
  concurrency_conflict: [409, 'Concurrent modification'],
  unavailable: [503, 'Service unavailable'],
};

const HTTP_CODES: Readonly<Record<number, string>> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  410: 'gone',
  412: 'precondition_failed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable_entity',
  429: 'too_many_requests',
  503: 'service_unavailable',
};

/** The one place where an error becomes an HTTP answer (STYLE.md, Errors). */
export function toProblem(error: unknown, context: ProblemContext): MappedProblem {
  if (error instanceof TooManyRequestsError) return tooManyRequests(error);
  if (hasCode(error, 'idempotency_key_reused')) return IDEMPOTENCY_KEY_REUSED;
  if (isCasegridError(error)) return fromDomain(error, context);
  if (error instanceof HttpException) return fromHttp(error.getStatus(), error, messageOf(error));
  // body-parser errors, should an adapter hand them over unmapped (http-errors shape).
  if (isExposedHttpError(error)) return fromHttp(error.status, error, error.message);
  return INTERNAL;
}

// API.md: the same Idempotency-Key with another body is a 422.
const IDEMPOTENCY_KEY_REUSED: MappedProblem = {
  problem: problem(
    'idempotency_key_reused',
    422,
    'Idempotency key reused',
    'This Idempotency-Key was used for a different request; use a new key for a new request.',
  ),
  unexpected: false,
};

const hasCode = (error: unknown, code: string): boolean =>
  error instanceof Error && (error as { code?: unknown }).code === code;

function tooManyRequests(error: TooManyRequestsError): MappedProblem {
  // Whole seconds and at least 1 (RFC 9110): `Retry-After: 0` would invite a retry storm.
  const seconds = Number.isFinite(error.retryAfterSeconds)
    ? Math.max(1, Math.ceil(error.retryAfterSeconds))
    : 1;
  return {
    problem: problem('too_many_requests', 429, 'Too many requests', error.message),
    unexpected: false,
    headers: { 'Retry-After': String(seconds) },
  };
}

function fromDomain(error: Error & { code: ErrorCode }, context: ProblemContext): MappedProblem {
  const code = error.code;
  const [status, title] = DOMAIN[code];
  if (code === 'validation_failed') {
    const errors = (error as Partial<{ errors: readonly FieldError[] }>).errors ?? [];
    const detail = `${errors.length} field(s) of the request are invalid.`;
    return { problem: problem(code, status, title, detail, errors), unexpected: false };
  }
  if (code === 'concurrency_conflict' && context.ifMatch) {
    const detail = `The If-Match version is no longer current: ${error.message}`;
    return {
      problem: problem('precondition_failed', 412, 'Precondition failed', detail),
      unexpected: false,
    };
  }
  const refusal = (error as Partial<{ refusal: unknown }>).refusal;
  const answer = problem(code, status, title, error.message);
  return {
    problem: typeof refusal === 'string' ? { ...answer, code: refusal } : answer,
    unexpected: false,
  };
}

function fromHttp(status: number, error: object, message: string): MappedProblem {
  if (status >= 500) {
    // The status stands (a 503 tells the client to retry); the message may be internal.
    const code = HTTP_CODES[status] ?? 'internal_error';
    const title = STATUS_CODES[status] ?? 'Server error';
    return { problem: problem(code, status, title, FAULT_DETAIL), unexpected: true };
  }
  const parserError = bodyParserType(error);
  if (parserError === 'entity.parse.failed') {
    return {
      problem: problem(
        'malformed_json',
        400,
        'Malformed JSON',
        'The request body is not valid JSON.',
      ),
      unexpected: false,
    };
  }
  if (parserError === 'entity.too.large' || status === 413) {
    const detail = 'The request body is larger than the server accepts.';
    return {
      problem: problem('payload_too_large', 413, 'Payload too large', detail),
      unexpected: false,
    };
  }
  const code = HTTP_CODES[status] ?? `http_${status}`;
  const title = STATUS_CODES[status] ?? 'Error';
  return { problem: problem(code, status, title, message || title), unexpected: false };
}

function messageOf(error: HttpException): string {
  const body = error.getResponse();
  if (typeof body === 'string') return body;
  const message = (body as { message?: unknown }).message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return typeof message === 'string' ? message : error.message;
}

interface ExposedHttpError {
  readonly status: number;
  readonly message: string;
}

function isExposedHttpError(error: unknown): error is ExposedHttpError {
  if (!(error instanceof Error)) return false;
  const { status, expose } = error as Partial<{ status: unknown; expose: unknown }>;
  return typeof status === 'number' && status >= 400 && status < 500 && expose === true;
}

/** body-parser tags its errors with a `type`; the Express adapter keeps them as `cause`. */
function bodyParserType(error: object): string | undefined {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const { type } = e as Partial<{ type: unknown }>;
    if (typeof type === 'string') return type;
  }
  return undefined;
}
