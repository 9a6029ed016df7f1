import type { CaseEvent } from '@casegrid/supervision';
import { parseCeType, type CloudEvent } from './cloud-event';

/**
 * A CloudEvent of `casegrid.case-events` as the ledger reducer reads it (the one mapping
 * used by supervision's ledger and audit's replay), or undefined when its type is not
 * ours. The payload stays as published: no personal data is ever opened here.
 */
export function toCaseEvent(event: CloudEvent): CaseEvent | undefined {
  const type = parseCeType(event.type);
  if (type === undefined || typeof event.data !== 'object' || event.data === null) return undefined;
  return {
    id: event.id,
    type: type.name,
    service: type.service,
    time: event.time,
    actor: event.actor,
    department: event.department,
    streamVersion: event.streamversion,
    data: event.data as CaseEvent['data'],
  };
}
