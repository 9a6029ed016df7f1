/**
 * A case event as the ledger folds it: any service's event from the case's canonical
 * stream (the partition order of `casegrid.case-events`), reduced to what the domain
 * reads. Adapters map CloudEvents to this; the domain never sees a transport.
 */
export interface CaseEvent<Data = Readonly<Record<string, unknown>>> {
  readonly id: string;
  /** The event's name without service or version, e.g. `CaseDispatched`. */
  readonly type: string;
  /** The producing service, e.g. `intake`. */
  readonly service: string;
  /** When it was recorded (RFC 3339). */
  readonly time: string;
  readonly actor: string;
  readonly department?: string | undefined;
  /** Position in the producing service's stream of the case. */
  readonly streamVersion: number;
  readonly data: Data;
}

/**
 * The event with its data as an object: data that is not one (a `null` or a string from a
 * broken producer) reads as no data at all, so that a replay never throws on it.
 */
export const readable = (event: CaseEvent): CaseEvent =>
  typeof event.data === 'object' && event.data !== null && !Array.isArray(event.data)
    ? event
    : { ...event, data: {} };

/** A field of an event's data as a string, or null (events are read defensively: replay never throws). */
export const text = (data: Readonly<Record<string, unknown>>, field: string): string | null => {
  const value = data[field];
  return typeof value === 'string' ? value : null;
};

export const texts = (data: Readonly<Record<string, unknown>>, field: string): string[] => {
  const value = data[field];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
};

export const num = (data: Readonly<Record<string, unknown>>, field: string): number | null => {
  const value = data[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
};
