import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Histogram } from 'prom-client';

export type HttpRequestHistogram = Histogram<'method' | 'route' | 'status'>;

/** What Express adds to the request once a route matched. */
interface RoutedRequest extends IncomingMessage {
  readonly baseUrl?: string;
  readonly route?: { readonly path?: unknown };
}

/** The label of requests served without a route pattern: unknown paths, static assets. */
export const UNROUTED = 'unrouted';

/**
 * Times every request, including those the body parser or the router refuse (413, 404),
 * which is why it is plain middleware installed first rather than an interceptor.
 */
export function httpMetricsMiddleware(histogram: HttpRequestHistogram) {
  return (request: IncomingMessage, response: ServerResponse, next: () => void): void => {
    const stop = histogram.startTimer();
    response.once('finish', () => {
      stop({
        method: request.method ?? 'UNKNOWN',
        route: routeOf(request, response.statusCode),
        status: String(response.statusCode),
      });
    });
    next();
  };
}

/**
 * The route pattern (`/api/v1/cases/:id`), never the raw URL: ids and scanners' paths would
 * give every request its own time series. Nest answers unknown paths through wildcard
 * catch-alls (`*path`), so a 404 from a wildcard counts as unrouted.
 */
function routeOf(request: RoutedRequest, status: number): string {
  const pattern = request.route?.path;
  if (typeof pattern !== 'string') return UNROUTED;
  if (status === 404 && pattern.includes('*')) return UNROUTED;
  return `${request.baseUrl ?? ''}${pattern}`;
}
