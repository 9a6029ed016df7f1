import { MalformedMessageError, parseCeType, type CloudEvent } from '@casegrid/contracts';

/**
 * Reference data on `casegrid.reference` (API.md, Events; DESIGN.md, Regions and
 * departments). Intake owns it and publishes every change as a state-carrying event: the
 * payload is the whole current record, never a delta, so that the topic, compacted by key,
 * keeps exactly the latest record of each and a replica built from it alone is complete.
 * The key (= stream id = `ce_subject`) is `reference:<kind>:<key>`; `ce_streamversion` is
 * the record's version, which replicas use so that an older event never overwrites a newer.
 */
export interface ReferenceRegion {
  readonly code: string;
  readonly name: string;
  readonly tier: string;
  readonly parentCode: string | null;
}

export interface ReferenceDepartment {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly regionCode: string;
  readonly tier: string;
}

/** A user as other services may know them: never a password hash or any other credential. */
export interface ReferenceUser {
  readonly id: string;
  readonly username: string;
  readonly name: string;
  readonly departmentId: string;
  readonly roles: readonly string[];
  readonly disabled: boolean;
}

export interface ReferenceRoutingRule {
  readonly id: string;
  readonly category: string | null;
  readonly regionCode: string | null;
  readonly kind: string | null;
  readonly severity: string | null;
  readonly leadDepartmentType: string;
  readonly coDepartmentTypes: readonly string[];
  readonly tier: string | null;
  readonly note: string | null;
  /** The rule's own version (If-Match on `/routing-rules/{id}`). */
  readonly version: number;
}

/** A year of the official calendar: public holidays and 调休 make-up workdays. */
export interface ReferenceCalendar {
  readonly year: number;
  readonly holidays: readonly string[];
  readonly makeupWorkdays: readonly string[];
  readonly source: string | null;
  readonly version: number;
}

/** A deadline policy as it stands (libs/deadlines), with the version clocks record. */
export interface ReferenceDeadlinePolicy {
  readonly code: string;
  readonly version: number;
  readonly effectiveFrom: string;
  readonly [field: string]: unknown;
}

export interface ReferenceRecords {
  readonly region: ReferenceRegion;
  readonly department: ReferenceDepartment;
  readonly user: ReferenceUser;
  readonly routing_rule: ReferenceRoutingRule;
  readonly calendar: ReferenceCalendar;
  readonly deadline_policy: ReferenceDeadlinePolicy;
}

export type ReferenceKind = keyof ReferenceRecords;

/** A change as the owner publishes it: the kind and the record as it now stands. */
export type ReferenceChange = {
  [K in ReferenceKind]: { readonly kind: K; readonly record: ReferenceRecords[K] };
}[ReferenceKind];

/** Event names per kind (intake's catalogue); a name is contract: never repurpose one. */
export const REFERENCE_EVENT_TYPES = {
  region: 'RegionChanged',
  department: 'DepartmentChanged',
  user: 'UserChanged',
  routing_rule: 'RoutingRuleChanged',
  calendar: 'CalendarChanged',
  deadline_policy: 'DeadlinePolicyChanged',
} as const satisfies Record<ReferenceKind, string>;

export const REFERENCE_KINDS = Object.keys(REFERENCE_EVENT_TYPES) as ReferenceKind[];

const KIND_OF_EVENT = new Map<string, ReferenceKind>(
  REFERENCE_KINDS.map((kind) => [REFERENCE_EVENT_TYPES[kind], kind]),
);

/** The fields each kind publishes, and only these: a record never carries more. */
const FIELDS: { readonly [K in ReferenceKind]: readonly (keyof ReferenceRecords[K])[] } = {
  region: ['code', 'name', 'tier', 'parentCode'],
  department: ['id', 'name', 'type', 'regionCode', 'tier'],
  user: ['id', 'username', 'name', 'departmentId', 'roles', 'disabled'],
  routing_rule: [
    'id',
    'category',
    'regionCode',
    'kind',
    'severity',
    'leadDepartmentType',
    'coDepartmentTypes',
    'tier',
    'note',
    'version',
  ],
  calendar: ['year', 'holidays', 'makeupWorkdays', 'source', 'version'],
  deadline_policy: ['code', 'version', 'effectiveFrom'],
};

/**
 * The payload of a change: the record's contract fields, picked one by one, so that a row
 * handed over with more (a password hash, a timestamp) cannot leak it onto the topic.
 */
export const referencePayload = (change: ReferenceChange): Record<string, unknown> => {
  const record = change.record as unknown as Record<string, unknown>;
  // A policy is a document of its own lib's shape (validated there); it carries no secrets.
  if (change.kind === 'deadline_policy') return { ...record };
  const fields = FIELDS[change.kind] as readonly string[];
  return Object.fromEntries(fields.map((field) => [field, record[field] ?? null]));
};

export const referenceKey = (change: ReferenceChange): string => {
  switch (change.kind) {
    case 'region':
    case 'deadline_policy':
      return change.record.code;
    case 'calendar':
      return String(change.record.year);
    default:
      return change.record.id;
  }
};

/** `reference:<kind>:<key>`: the stream in intake's store, the message key on the topic. */
export const referenceStreamId = (kind: ReferenceKind, key: string): string =>
  `reference:${kind}:${key}`;

/** A reference event as a replica applies it. */
export interface ReceivedReferenceChange {
  /** A `ReferenceKind`, or a kind a newer owner publishes that this version cannot name yet. */
  readonly kind: string;
  readonly key: string;
  readonly data: object;
  readonly version: number;
  readonly occurredAt: string;
  /** The event's id and correlation id: what a service derives from the change is caused by it. */
  readonly eventId: string;
  readonly correlationId: string;
}

const SUBJECT = /^reference:([a-z][a-z_]*):(.+)$/;

/**
 * What a replica makes of a message on the reference topic. Every `<Name>Changed` of the
 * owner is kept under the kind its subject names — also a kind this version does not know
 * yet (a calendar, a deadline policy), so that no event is lost to the inbox before the
 * code that reads it arrives. `undefined` for anything else on the topic (skipped);
 * `MalformedMessageError` (straight to the dead-letter topic) when the subject names no
 * record, disagrees with a known type, or the payload is not a record.
 */
export const readReferenceEvent = (event: CloudEvent): ReceivedReferenceChange | undefined => {
  const type = parseCeType(event.type);
  if (!type || type.service !== 'intake' || !type.name.endsWith('Changed')) return undefined;
  const subject = SUBJECT.exec(event.subject);
  if (!subject) throw new MalformedMessageError(`subject ${event.subject} names no record`);
  const [, kind = '', key = ''] = subject;
  const known = KIND_OF_EVENT.get(type.name);
  if (known !== undefined && known !== kind) {
    throw new MalformedMessageError(`${event.type} on ${event.subject}`);
  }
  if (known !== undefined && type.version !== 1) {
    throw new MalformedMessageError(`no upcaster for ${event.type}`);
  }
  if (typeof event.data !== 'object' || event.data === null || Array.isArray(event.data)) {
    throw new MalformedMessageError(`${event.type} carries no record`);
  }
  return {
    kind,
    key,
    data: event.data,
    version: event.streamversion,
    occurredAt: event.time,
    eventId: event.id,
    correlationId: event.correlationid,
  };
};
