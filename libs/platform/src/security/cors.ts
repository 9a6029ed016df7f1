import type { CorsOptions } from '@nestjs/common/internal';

/** What a browser client may send and read (API.md, Conventions). */
export const CORS_ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'Idempotency-Key',
  'If-Match',
];
export const CORS_EXPOSED_HEADERS = ['ETag', 'Location', 'Retry-After'];

/**
 * CORS for `CORS_ORIGINS`, or `undefined` when it is empty: then no CORS header is sent at
 * all and browsers keep the API same-origin. `*` never goes with credentials (browsers
 * refuse the pair, and it would let any site act with a user's cookies); a list of exact
 * origins may use them. The API itself authenticates with a bearer token, not cookies.
 */
export function corsOptions(origins: readonly string[]): CorsOptions | undefined {
  if (origins.length === 0) return undefined;
  const any = origins.includes('*');
  return {
    origin: any ? '*' : [...origins],
    credentials: !any,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    // Browsers cap it (Chrome at 2 hours); 10 minutes spares most preflights.
    maxAge: 600,
    optionsSuccessStatus: 204,
  };
}
