import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { SUPERVISION_EVENT_TYPES } from '@casegrid/supervision';
import {
  ceType,
  fromBinaryMessage,
  MalformedMessageError,
  parseCeType,
  toBinaryMessage,
  type CloudEvent,
} from './cloud-event';
import { CASE_EVENTS_TOPIC, deadLetterTopic, REFERENCE_TOPIC } from './topics';
import { watermarkMessage } from './watermark';

const event: CloudEvent = {
  specversion: '1.0',
  id: '01a204f5-9377-7eb9-b4d5-63386679fe72',
  source: '/casegrid/intake',
  type: ceType('intake', 'CaseRegistered', 1),
  time: '2026-03-02T09:00:00.000+08:00',
  subject: '01a204f5-0000-7000-8000-000000000001',
  datacontenttype: 'application/json',
  actor: 'user-1',
  department: 'dept-1',
  correlationid: 'corr-1',
  causationid: 'cause-1',
  streamversion: 3,
  data: { title: '邻里纠纷', parties: [{ ref: 'p-1' }] },
};

describe('CloudEvents binary mode', () => {
  it('round-trips every attribute through headers and value', () => {
    const message = toBinaryMessage(CASE_EVENTS_TOPIC, event);
    expect(message.key).toBe(event.subject);
    expect(message.headers).toMatchObject({
      ce_id: event.id,
      ce_streamversion: '3',
      ce_type: 'casegrid.intake.CaseRegistered.v1',
    });
    expect(fromBinaryMessage(message.headers, message.value)).toEqual(event);
  });

  it('leaves out optional attributes that are not set', () => {
    const { department: _d, causationid: _c, ...bare } = event;
    const message = toBinaryMessage(CASE_EVENTS_TOPIC, bare);
    expect(Object.keys(message.headers)).not.toContain('ce_department');
    expect(fromBinaryMessage(message.headers, message.value)).toEqual(bare);
  });

  it.each([
    ['a missing required header', { ce_id: undefined }, '{}'],
    ['another spec version', { ce_specversion: '0.3' }, '{}'],
    ['a stream version that is not a positive integer', { ce_streamversion: '0' }, '{}'],
    ['a value that is not JSON', {}, '{nope'],
  ])('refuses %s as malformed', (_what, override, value) => {
    const headers = { ...toBinaryMessage(CASE_EVENTS_TOPIC, event).headers, ...override };
    expect(() => fromBinaryMessage(headers, value)).toThrow(MalformedMessageError);
  });

  it('parses ce types and refuses others', () => {
    expect(parseCeType('casegrid.petition.PetitionExtended.v2')).toEqual({
      service: 'petition',
      name: 'PetitionExtended',
      version: 2,
    });
    expect(parseCeType('com.example.Other')).toBeUndefined();
  });
});

describe('asyncapi.yaml', () => {
  interface AsyncApi {
    channels: Record<string, { address: string }>;
    components: {
      schemas: {
        cloudEventHeaders: { required: string[]; properties: Record<string, unknown> };
      } & Record<string, { required?: string[] }>;
    };
    'x-casegrid-event-catalogue': Record<string, string[]>;
  }
  const doc = parse(readFileSync(join(__dirname, '../../../asyncapi.yaml'), 'utf8')) as AsyncApi;

  it('names the topics the code publishes to', () => {
    const addresses = Object.values(doc.channels).map((c) => c.address);
    expect(addresses).toEqual(
      expect.arrayContaining([CASE_EVENTS_TOPIC, REFERENCE_TOPIC, deadLetterTopic('{group}')]),
    );
  });

  it('describes exactly the headers the code writes', () => {
    const schema = doc.components.schemas.cloudEventHeaders;
    const written = Object.keys(
      toBinaryMessage(CASE_EVENTS_TOPIC, { ...event, traceparent: '00-x-y-01' }).headers,
    );
    expect(Object.keys(schema.properties).sort()).toEqual([...written].sort());
    const bare = toBinaryMessage(CASE_EVENTS_TOPIC, {
      ...event,
      department: undefined,
      causationid: undefined,
    });
    for (const name of schema.required) expect(bare.headers).toHaveProperty([name]);
  });

  it('describes the producers’ watermark exactly as the relays write it', () => {
    const described = (
      doc as unknown as {
        components: { messages: Record<string, { headers: { properties: object } }> };
      }
    ).components.messages['producerWatermark']!.headers.properties;
    const written = watermarkMessage(CASE_EVENTS_TOPIC, 0, {
      producer: 'intake',
      at: '2026-12-02T00:00:00.000Z',
    }).headers;
    expect(Object.keys(described).sort()).toEqual(Object.keys(written).sort());
  });

  it('describes every event supervision records, with its payload schema', () => {
    expect([...doc['x-casegrid-event-catalogue']['supervision']!].sort()).toEqual(
      [...SUPERVISION_EVENT_TYPES].sort(),
    );
    for (const type of SUPERVISION_EVENT_TYPES) {
      const schema = doc.components.schemas[type[0]!.toLowerCase() + type.slice(1)];
      expect([type, schema?.required?.includes('caseId')]).toEqual([type, true]);
    }
  });
});
