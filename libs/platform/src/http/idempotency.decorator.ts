import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { parseIdempotencyKey, requestFingerprint } from '@casegrid/event-store';

/** What a command needs to be exactly-once under retries (`runIdempotent`). */
export interface IdempotencyOf {
  /** The `Idempotency-Key` header, if sent (a malformed one is a 400). */
  readonly key: string | undefined;
  /** Method, path and body: the same key with another request is a 422. */
  readonly fingerprint: string;
}

interface RequestLike {
  readonly method: string;
  readonly originalUrl?: string;
  readonly url: string;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** The request's idempotency key and fingerprint, for every POST (API.md, Conventions). */
export const Idempotency = createParamDecorator(
  (_data: unknown, context: ExecutionContext): IdempotencyOf => {
    const request = context.switchToHttp().getRequest<RequestLike>();
    const path = (request.originalUrl ?? request.url).split('?')[0] ?? '';
    return {
      key: parseIdempotencyKey(request.headers['idempotency-key']),
      fingerprint: requestFingerprint({ method: request.method, path, body: request.body }),
    };
  },
);
