import { context, propagation } from '@opentelemetry/api';
import type { AppendRequest } from './event-store.types';

/**
 * Stamps the caller's trace context (W3C `traceparent`) on events that do not carry one,
 * so the relay publishes it with the event and every consumer continues the same trace.
 * Read at the append call, in the caller's context: the group committer runs later in
 * its own. Without an active span (no tracing installed) the request is left as it is.
 */
export const withTraceContext = (request: AppendRequest): AppendRequest => {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  const traceparent = carrier['traceparent'];
  if (!traceparent) return request;
  return {
    ...request,
    events: request.events.map((event) =>
      event.metadata.traceparent
        ? event
        : { ...event, metadata: { ...event.metadata, traceparent } },
    ),
  };
};
