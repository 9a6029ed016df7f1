import request from 'supertest';
import {
  fromBinaryMessage,
  toBinaryMessage,
  REFERENCE_TOPIC,
  type ServiceName,
} from '@casegrid/contracts';
import { uuidv7 } from '@casegrid/kernel';
import { batchOf, type DeliveredMessage, type Transport } from '@casegrid/messaging';
import {
  INFRASTRUCTURE,
  referenceReader,
  serviceRuntime,
  TRANSPORT,
  type Infrastructure,
  type ReferenceKind,
  type ReferenceReader,
  type ServiceRuntime,
} from '@casegrid/runtime';
import { readSeed } from '@casegrid/service-intake';
import { waitUntil } from '@casegrid/testing';
import { startTestCasegrid, type TestCasegrid } from './testing/test-casegrid';

/**
 * Reference data (DESIGN.md, Regions and departments): intake publishes every change on
 * `casegrid.reference`, and every service keeps a read-only copy of it in its own schema,
 * newest version winning, each event applied once.
 */
const REPLICAS: readonly ServiceName[] = ['mediation', 'petition', 'supervision', 'audit'];
const seed = readSeed();

interface ReplicaRow {
  key: string;
  data: Record<string, unknown>;
  version: string;
}

const pool = (casegrid: TestCasegrid, service: ServiceName) =>
  casegrid.app.get<ServiceRuntime>(serviceRuntime(service)).db.pool;

/** A replica's rows of one kind, read from the service's own schema. */
const replica = async (
  casegrid: TestCasegrid,
  service: ServiceName,
  kind: ReferenceKind,
): Promise<Map<string, ReplicaRow>> => {
  const { rows } = await pool(casegrid, service).query<ReplicaRow>(
    `select key, data, version from "${service}".reference_data where kind = $1`,
    [kind],
  );
  return new Map(rows.map((row) => [row.key, row]));
};

/** Waits until every replica holds `key` and `holds` says its row is the one expected. */
const reachesEveryReplica = async (
  casegrid: TestCasegrid,
  kind: ReferenceKind,
  key: string,
  holds: (row: ReplicaRow) => boolean = () => true,
): Promise<void> => {
  for (const service of REPLICAS) {
    await waitUntil(
      async () => {
        const row = (await replica(casegrid, service, kind)).get(key);
        return row !== undefined && holds(row);
      },
      { what: `${kind} ${key} in ${service}'s replica` },
    );
  }
};

describe('reference data, replicated into every service', () => {
  let casegrid: TestCasegrid;
  const admin = async () =>
    request.agent(casegrid.url).auth(await casegrid.token('admin'), { type: 'bearer' });
  /** What the in-process transport carried for a stream id (the message key). */
  const carried = async (key: string): Promise<DeliveredMessage[]> => {
    const { rows } = await pool(casegrid, 'intake').query<{
      position: string;
      headers: Record<string, string>;
      value: string;
    }>(
      'select position, headers, value from transport.log where topic = $1 and message_key = $2 order by position',
      [REFERENCE_TOPIC, key],
    );
    return rows.map((row) => ({
      topic: REFERENCE_TOPIC,
      key,
      partition: 0,
      offset: row.position,
      headers: row.headers,
      value: row.value,
    }));
  };

  beforeAll(async () => {
    casegrid = await startTestCasegrid('reference_data');
  });
  afterAll(async () => {
    await casegrid?.stop();
  });

  it('copies the seeded organisation and routing table into every service', async () => {
    for (const service of REPLICAS) {
      await waitUntil(
        async () =>
          (await replica(casegrid, service, 'department')).size === seed.departments.length &&
          (await replica(casegrid, service, 'routing_rule')).size === seed.routingRules.length,
        { what: `the seed in ${service}'s replica` },
      );
      const departments = await replica(casegrid, service, 'department');
      for (const department of seed.departments) {
        expect(departments.get(department.id)?.data).toEqual({
          ...department,
          tier: expect.any(String) as string,
        });
      }
      expect((await replica(casegrid, service, 'region')).size).toBe(seed.regions.length);
    }
    // Services read their copy through the reader, never intake's tables.
    const reader = casegrid.app.get<ReferenceReader>(referenceReader('supervision'));
    const centre = seed.departments[0]!;
    expect(await reader.get('department', centre.id)).toEqual({
      ...centre,
      tier: 'city',
    });
    const regions = await reader.list('region');
    expect(regions.map((r) => r.code)).toEqual(seed.regions.map((r) => r.code).sort());
    expect(await reader.get('user', uuidv7())).toBeUndefined();
  });

  it("carries an admin's new department and user to every service, never a password hash", async () => {
    const agent = await admin();
    const department = (
      await agent
        .post('/api/v1/departments')
        .send({ name: '解放路街道劳动保障所', type: 'human_resources', regionCode: '370102001000' })
        .expect(201)
    ).body as { id: string };
    const user = (
      await agent
        .post('/api/v1/users')
        .send({
          username: 'inspector.reference',
          name: '赵六',
          departmentId: department.id,
          roles: ['handler'],
          password: 'a-long-test-password',
        })
        .expect(201)
    ).body as { id: string };

    await reachesEveryReplica(casegrid, 'department', department.id);
    await reachesEveryReplica(casegrid, 'user', user.id);
    const { rows } = await pool(casegrid, 'intake').query<{ password_hash: string }>(
      'select password_hash from intake.users where id = $1',
      [user.id],
    );
    const hash = rows[0]!.password_hash;
    expect(hash.length).toBeGreaterThan(20);
    for (const service of REPLICAS) {
      const copy = (await replica(casegrid, service, 'user')).get(user.id)!;
      expect(copy.data).toEqual({
        id: user.id,
        username: 'inspector.reference',
        name: '赵六',
        departmentId: department.id,
        roles: ['handler'],
        disabled: false,
      });
      // No credential anywhere in any replica, under any key, at any depth.
      const leaks = await pool(casegrid, service).query(
        `select kind, key from "${service}".reference_data
          where data::text like '%' || $1 || '%'
             or jsonb_path_exists(data, 'strict $.**.passwordHash')
             or jsonb_path_exists(data, 'strict $.**.password_hash')
             or jsonb_path_exists(data, 'strict $.**.password')`,
        [hash],
      );
      expect(leaks.rows).toEqual([]);
    }
    // Nor on the wire: the messages themselves carry none.
    const messages = await carried(`reference:user:${user.id}`);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.value).not.toContain(hash);
    expect(messages[0]!.headers).toMatchObject({
      ce_type: 'casegrid.intake.UserChanged.v1',
      ce_source: '/casegrid/intake',
      ce_subject: `reference:user:${user.id}`,
      ce_streamversion: '1',
    });
  });

  it('replaces a routing rule in every replica with its newest version', async () => {
    const rule = seed.routingRules.find((r) => r.category === 'medical')!;
    const { note: _note, id, ...fields } = rule;
    const replaced = await (
      await admin()
    )
      .put(`/api/v1/routing-rules/${id}`)
      .send({ ...fields, note: '医疗纠纷：医调委牵头（已修订）' })
      .expect(200);
    expect(replaced.body).toMatchObject({ version: 2 });

    await reachesEveryReplica(
      casegrid,
      'routing_rule',
      id,
      (row) => row.data['note'] === '医疗纠纷：医调委牵头（已修订）',
    );
    for (const service of REPLICAS) {
      const row = (await replica(casegrid, service, 'routing_rule')).get(id)!;
      expect(row.version).toBe('2');
      expect(row.data).toEqual(replaced.body);
    }
  });

  it('carries the calendars and deadline policies that supervision will count with', async () => {
    await reachesEveryReplica(casegrid, 'calendar', '2026', (row) =>
      (row.data['makeupWorkdays'] as string[]).includes('2026-02-14'),
    );
    await reachesEveryReplica(casegrid, 'deadline_policy', 'petition_opinion');
    const agent = await admin();
    await agent
      .put('/api/v1/calendars/2027')
      .send({ holidays: ['2027-01-01'], makeupWorkdays: [] })
      .expect(201);
    const minor = (await agent.get('/api/v1/deadline-policies').expect(200)).body as {
      items: { code: string; version: number; effectiveFrom: string }[];
    };
    const policy = minor.items.find((p) => p.code === 'resolve.minor')!;
    const { version: _v, effectiveFrom: _e, ...fields } = policy;
    await agent
      .put('/api/v1/deadline-policies')
      .send({ items: [{ ...fields, period: { length: 6, unit: 'working_days' } }] })
      .expect(200);
    await reachesEveryReplica(casegrid, 'calendar', '2027');
    await reachesEveryReplica(
      casegrid,
      'deadline_policy',
      'resolve.minor',
      (row) => row.version === '2',
    );
    const copy = (await replica(casegrid, 'supervision', 'deadline_policy')).get('resolve.minor')!;
    expect(copy.data).toMatchObject({
      code: 'resolve.minor',
      version: 2,
      period: { length: 6, unit: 'working_days' },
    });
  });

  it('applies a redelivered message once and never lets an older version overwrite a newer', async () => {
    const infra = casegrid.app.get<Infrastructure>(INFRASTRUCTURE);
    const petition = infra.replicas.get('petition')!;
    const processor = infra.processors.get(petition.group)!;
    // By hand, as the transport would deliver them, on a partition of their own (so the
    // group's position on the real one does not skip them): what absorbs them is the
    // inbox and the version guard.
    let offset = 0;
    const handle = (message: DeliveredMessage) =>
      processor.handleBatch(batchOf([{ ...message, partition: 9, offset: String((offset += 1)) }]));
    const rule = seed.routingRules.find((r) => r.category === 'medical')!;
    await reachesEveryReplica(casegrid, 'routing_rule', rule.id, (row) => row.version === '2');
    const [first, second] = await carried(`reference:routing_rule:${rule.id}`);
    const before = (await replica(casegrid, 'petition', 'routing_rule')).get(rule.id);

    // The same message twice (the transport's at-least-once): the inbox absorbs both.
    await handle(second!);
    await handle(second!);
    // The seed's version again, as a new event (another id): the version guard keeps v2.
    const stale = fromBinaryMessage(first!.headers, first!.value);
    await handle({
      ...first!,
      ...toBinaryMessage(REFERENCE_TOPIC, { ...stale, id: uuidv7() }),
    });

    const { rows } = await pool(casegrid, 'petition').query<ReplicaRow>(
      `select key, data, version from petition.reference_data where kind = 'routing_rule' and key = $1`,
      [rule.id],
    );
    expect(rows).toEqual([before]);
    expect(rows[0]!.version).toBe('2');
    const applied = await pool(casegrid, 'petition').query(
      'select 1 from petition.inbox where consumer = $1 and event_id = $2',
      [petition.group, second!.headers['ce_id']],
    );
    expect(applied.rowCount).toBe(1);
  });
});

/** Through Kafka: on a broker of the suite's own, as every suite booted on Kafka. */
describe('reference data through Kafka', () => {
  let casegrid: TestCasegrid;
  beforeAll(async () => {
    casegrid = await startTestCasegrid('reference_kafka', {}, { kafka: true });
  });
  afterAll(async () => {
    await casegrid?.stop();
  });

  it("reaches supervision's replica", async () => {
    expect(casegrid.app.get<Transport>(TRANSPORT).kind).toBe('kafka');
    const department = (
      await request
        .agent(casegrid.url)
        .auth(await casegrid.token('admin'), { type: 'bearer' })
        .post('/api/v1/departments')
        .send({
          name: '解放路街道市场监管所',
          type: 'market_regulation',
          regionCode: '370102001000',
        })
        .expect(201)
    ).body as { id: string; name: string };
    await waitUntil(
      async () => (await replica(casegrid, 'supervision', 'department')).has(department.id),
      { what: "the department in supervision's replica, through Kafka", timeoutMs: 60_000 },
    );
    const reader = casegrid.app.get<ReferenceReader>(referenceReader('supervision'));
    expect(await reader.get('department', department.id)).toMatchObject({
      name: '解放路街道市场监管所',
      regionCode: '370102001000',
      tier: 'township',
    });
  });
});
