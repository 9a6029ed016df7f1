import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

type Middleware = (
  request: IncomingMessage,
  response: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/**
 * Helmet's defaults on every response (CSP `default-src 'self'`, HSTS, nosniff, frame
 * and referrer policies), except one change on the Swagger UI under `docsPath`: its
 * scripts and styles are same-origin files, which the default CSP allows, but
 * `upgrade-insecure-requests` makes a browser fetch them over https, which breaks the
 * docs of the embedded default served over plain http on a LAN address. In production
 * TLS is enforced by HSTS, not by that directive. The console's pages (every path outside
 * `/api`, `/health` and `/metrics` when `consoleServed`) get the same policy for the same
 * reason: a grid worker's phone opens them over http on the centre's LAN.
 */
export function securityHeaders(docsPath: string, consoleServed = false): Middleware {
  const everywhere = helmet();
  const docs = helmet({
    contentSecurityPolicy: { directives: { 'upgrade-insecure-requests': null } },
  });
  const docsPrefix = `/${docsPath}`;
  return (request, response, next) => {
    const path = pathOf(request);
    const forDocs = path === docsPrefix || path.startsWith(`${docsPrefix}/`);
    const forConsole = consoleServed && isConsolePath(path);
    (forDocs || forConsole ? docs : everywhere)(request, response, next);
  };
}

/**
 * API responses carry personal data: no browser, proxy or CDN may keep a copy. Set before
 * the handler runs, so a handler with a reason to allow caching can still override it.
 */
export function noStore(prefix: string): Middleware {
  const apiPrefix = `/${prefix}`;
  return (request, response, next) => {
    const path = pathOf(request);
    if (path === apiPrefix || path.startsWith(`${apiPrefix}/`)) {
      response.setHeader('Cache-Control', 'no-store');
    }
    next();
  };
}

export const pathOf = (request: IncomingMessage): string => (request.url ?? '').split('?')[0] ?? '';

/** Paths the console never answers: the API, operations and the OpenAPI documents. */
export const isConsolePath = (path: string): boolean => !/^\/(api|health|metrics)(\/|$)/.test(path);
