import { ceSource, ceType, type CloudEvent, type ServiceName } from '@casegrid/contracts';
import type { RecordedEvent } from '@casegrid/event-store';

/**
 * A stored event as the integration event of API.md. Everything comes from the stored
 * row, so publishing the same event twice yields the same message, byte for byte.
 */
export const toCloudEvent = (service: ServiceName, event: RecordedEvent): CloudEvent => {
  const m = event.metadata;
  return {
    specversion: '1.0',
    id: event.id,
    source: ceSource(service),
    type: ceType(service, event.type, event.schemaVersion),
    time: m.occurredAt ?? event.recordedAt.toISOString(),
    subject: event.streamId,
    datacontenttype: 'application/json',
    actor: m.actor,
    ...(m.department ? { department: m.department } : {}),
    correlationid: m.correlationId,
    ...(m.causationId ? { causationid: m.causationId } : {}),
    streamversion: event.streamPosition,
    ...(m.traceparent ? { traceparent: m.traceparent } : {}),
    data: event.data,
  };
};
