import {
  createParamDecorator,
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { ValidationError } from '@casegrid/kernel';
import { map, type Observable } from 'rxjs';

/**
 * API.md, Conventions: `ETag` is the stream (or record) version and `If-Match` makes a
 * command conditional on it. `3`, `"3"` or `W/"3"`; absent: `undefined` (unconditional);
 * anything else: `'malformed'`.
 */
export function versionFromIfMatch(header: string | undefined): number | undefined | 'malformed' {
  if (header === undefined) return undefined;
  const tag = /^(?:W\/)?(?:"([1-9]\d{0,8})"|([1-9]\d{0,8}))$/.exec(header.trim());
  const version = tag?.[1] ?? tag?.[2];
  return version === undefined ? 'malformed' : Number(version);
}

export const IF_MATCH_PROBLEM = {
  field: 'If-Match',
  message: 'must be the version last read, e.g. "3"',
};

/** The `If-Match` version of the request (a malformed header is a 400 on `If-Match`). */
export const IfMatch = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const header = context
    .switchToHttp()
    .getRequest<{ headers: Record<string, string | undefined> }>().headers['if-match'];
  const version = versionFromIfMatch(header);
  if (version === 'malformed') throw new ValidationError([IF_MATCH_PROBLEM]);
  return version;
});

interface HeaderTarget {
  getHeader(name: string): unknown;
  setHeader(name: string, value: string): unknown;
}

/** Sets `ETag: "<version>"` on every answer whose body carries a numeric `version`. */
@Injectable()
export class VersionETagInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const response = context.switchToHttp().getResponse<HeaderTarget>();
    return next.handle().pipe(
      map((body: unknown) => {
        const version = (body as { version?: unknown } | null)?.version;
        if (typeof version === 'number' && response.getHeader('ETag') === undefined) {
          response.setHeader('ETag', `"${version}"`);
        }
        return body;
      }),
    );
  }
}
