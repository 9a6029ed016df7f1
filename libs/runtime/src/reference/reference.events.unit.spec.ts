import { MalformedMessageError, type CloudEvent } from '@casegrid/contracts';
import {
  readReferenceEvent,
  REFERENCE_EVENT_TYPES,
  REFERENCE_KINDS,
  referenceKey,
  referencePayload,
  referenceStreamId,
} from './reference.events';

describe('reference events', () => {
  it('key each record by its code or id, under its kind', () => {
    expect(referenceKey({ kind: 'region', record: region })).toBe('370102001000');
    expect(referenceKey({ kind: 'department', record: department })).toBe(department.id);
    expect(referenceStreamId('routing_rule', 'r1')).toBe('reference:routing_rule:r1');
    expect(REFERENCE_KINDS.map((kind) => REFERENCE_EVENT_TYPES[kind])).toEqual([
      'RegionChanged',
      'DepartmentChanged',
      'UserChanged',
      'RoutingRuleChanged',
      'CalendarChanged',
      'DeadlinePolicyChanged',
    ]);
    expect(
      referenceKey({
        kind: 'calendar',
        record: { year: 2026, holidays: [], makeupWorkdays: [], source: null, version: 1 },
      }),
    ).toBe('2026');
  });

  it("publish a record's contract fields and nothing else", () => {
    const row = { ...user, passwordHash: 'scrypt$…', updatedAt: new Date() };
    expect(referencePayload({ kind: 'user', record: row })).toEqual(user);
    expect(Object.keys(referencePayload({ kind: 'region', record: region }))).toEqual([
      'code',
      'name',
      'tier',
      'parentCode',
    ]);
  });

  it('read as a change of the kind the type names, at the stream version', () => {
    expect(readReferenceEvent(changed('DepartmentChanged', `reference:department:${id}`))).toEqual({
      kind: 'department',
      key: id,
      data: department,
      version: 3,
      occurredAt: '2025-03-01T01:00:00.000Z',
      eventId: '0193a000-0000-7000-8000-00000000ffff',
      correlationId: '0193a000-0000-7000-8000-00000000fffe',
    });
  });

  it('keep a kind this version does not know yet under its subject, skip anything else', () => {
    expect(readReferenceEvent(changed('CalendarChanged', 'reference:calendar:2026'))).toEqual({
      kind: 'calendar',
      key: '2026',
      data: department,
      version: 3,
      occurredAt: '2025-03-01T01:00:00.000Z',
      eventId: '0193a000-0000-7000-8000-00000000ffff',
      correlationId: '0193a000-0000-7000-8000-00000000fffe',
    });
    const other = changed('RegionChanged', 'reference:region:1');
    for (const type of [
      'x',
      'casegrid.supervision.RegionChanged.v1',
      'casegrid.intake.CaseRegistered.v1',
    ]) {
      expect(readReferenceEvent({ ...other, type })).toBe(undefined);
    }
  });

  it('refuse a subject that does not name the record, a payload that is no record, an unknown version', () => {
    const cases: CloudEvent[] = [
      changed('UserChanged', `reference:department:${id}`),
      changed('UserChanged', 'reference:user:'),
      changed('CalendarChanged', '2026'),
      { ...changed('UserChanged', `reference:user:${id}`), data: null },
      { ...changed('UserChanged', `reference:user:${id}`), data: [department] },
      {
        ...changed('UserChanged', `reference:user:${id}`),
        type: 'casegrid.intake.UserChanged.v2',
      },
    ];
    for (const event of cases) {
      expect(() => readReferenceEvent(event)).toThrow(MalformedMessageError);
    }
  });
});

const id = '0193a000-0000-7000-8000-000000000036';
const region = { code: '370102001000', name: '解放路街道', tier: 'township', parentCode: null };
const department = {
  id,
  name: '解放路街道综治中心',
  type: 'governance_center',
  regionCode: '370102001000',
  tier: 'township',
};
const user = {
  id: '0193a000-0000-7000-8000-0000000000aa',
  username: 'clerk.jiefang',
  name: '王丽',
  departmentId: id,
  roles: ['intake_clerk'],
  disabled: false,
};
const changed = (name: string, subject: string): CloudEvent => ({
  specversion: '1.0',
  id: '0193a000-0000-7000-8000-00000000ffff',
  source: '/casegrid/intake',
  type: `casegrid.intake.${name}.v1`,
  time: '2025-03-01T01:00:00.000Z',
  subject,
  datacontenttype: 'application/json',
  actor: 'system:intake',
  correlationid: '0193a000-0000-7000-8000-00000000fffe',
  streamversion: 3,
  data: department,
});
