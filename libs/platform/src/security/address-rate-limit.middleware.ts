import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Rate } from '../config/casegrid.config';
import { enforceRate, type RateLimiter } from './rate-limiter';
import { pathOf } from './security-headers';

/** What Express adds: the client address, behind `trust proxy` hops. */
interface AddressedRequest extends IncomingMessage {
  readonly ip?: string;
}

/**
 * Probes and scrapers poll these on a schedule from a few addresses; throttling them would
 * turn a busy client into a failed readiness check.
 */
export const isRateExempt = (path: string): boolean =>
  path === '/metrics' || path === '/health' || path.startsWith('/health/');

/**
 * Limits requests per client address (`request.ip`, so `trust proxy` decides whose address
 * that is). Refusals go to the problem filter (429 with Retry-After) through `next`.
 */
export function addressRateLimit(limiter: RateLimiter, rate: Rate) {
  return (
    request: AddressedRequest,
    _response: ServerResponse,
    next: (error?: unknown) => void,
  ): void => {
    if (isRateExempt(pathOf(request))) return next();
    const address = request.ip ?? request.socket.remoteAddress ?? 'unknown';
    enforceRate(limiter, `address:${address}`, rate).then(() => next(), next);
  };
}
