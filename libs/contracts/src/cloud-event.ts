import type { ServiceName } from './topics';

/**
 * CloudEvents 1.0 envelope of API.md (Events). On Kafka it travels in binary mode: the
 * attributes as `ce_*` headers, the JSON payload as the value. `subject` is the case id;
 * the extensions carry who acted, for which department, the causal chain and the
 * producer's stream version.
 */
export interface CloudEvent<Data = unknown> {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly time: string;
  readonly subject: string;
  readonly datacontenttype: 'application/json';
  readonly actor: string;
  readonly department?: string;
  readonly correlationid: string;
  readonly causationid?: string;
  readonly streamversion: number;
  readonly traceparent?: string;
  readonly data: Data;
}

export type CloudEventAttributes = Omit<CloudEvent, 'data'>;

export const ceSource = (service: ServiceName): string => `/casegrid/${service}`;

/** `casegrid.<service>.<EventName>.v<N>` */
export const ceType = (service: ServiceName, eventName: string, version: number): string =>
  `casegrid.${service}.${eventName}.v${version}`;

export interface ParsedCeType {
  readonly service: string;
  readonly name: string;
  readonly version: number;
}

export const parseCeType = (type: string): ParsedCeType | undefined => {
  const match = /^casegrid\.([a-z]+)\.([A-Za-z]+)\.v(\d+)$/.exec(type);
  if (!match) return undefined;
  return { service: match[1]!, name: match[2]!, version: Number(match[3]) };
};

/** A message as any transport carries it: topic, partition key, string headers, bytes. */
export interface TransportMessage {
  readonly topic: string;
  /** Where it goes, when not by its key (a producer's watermark goes to every partition). */
  readonly partition?: number;
  readonly key: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly value: string;
}

const REQUIRED = ['id', 'source', 'type', 'time', 'subject', 'actor', 'correlationid'] as const;
const OPTIONAL = ['department', 'causationid', 'traceparent'] as const;

export const toBinaryMessage = (topic: string, event: CloudEvent): TransportMessage => {
  const headers: Record<string, string> = {
    ce_specversion: event.specversion,
    ce_streamversion: String(event.streamversion),
    'content-type': event.datacontenttype,
  };
  for (const name of [...REQUIRED, ...OPTIONAL]) {
    const value = event[name];
    if (value !== undefined) headers[`ce_${name}`] = value;
  }
  // The W3C header too, under its own name, for tracing tools that know no CloudEvents.
  if (event.traceparent) headers['traceparent'] = event.traceparent;
  return { topic, key: event.subject, headers, value: JSON.stringify(event.data) };
};

/** Why a message cannot be read at all: no retry will help, it belongs in the DLQ. */
export class MalformedMessageError extends Error {
  readonly code = 'malformed_message' as const;
}

export const fromBinaryMessage = (
  headers: Readonly<Record<string, string | undefined>>,
  value: string,
): CloudEvent => {
  if (headers['ce_specversion'] !== '1.0') {
    throw new MalformedMessageError(`unsupported ce_specversion ${headers['ce_specversion']}`);
  }
  const attributes: Record<string, string> = {};
  for (const name of REQUIRED) {
    const header = headers[`ce_${name}`];
    if (!header) throw new MalformedMessageError(`missing header ce_${name}`);
    attributes[name] = header;
  }
  for (const name of OPTIONAL) {
    const header = headers[`ce_${name}`];
    if (header) attributes[name] = header;
  }
  const streamversion = Number(headers['ce_streamversion']);
  if (!Number.isSafeInteger(streamversion) || streamversion < 1) {
    throw new MalformedMessageError(`bad ce_streamversion ${headers['ce_streamversion']}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(value);
  } catch {
    throw new MalformedMessageError('value is not JSON');
  }
  return {
    ...(attributes as unknown as Omit<CloudEventAttributes, 'streamversion'>),
    specversion: '1.0',
    datacontenttype: 'application/json',
    streamversion,
    data,
  };
};
