import { createHash, randomInt } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import request from 'supertest';
import { CASE_EVENTS_TOPIC } from '@casegrid/contracts';
import { idNumberCheckCharacter } from '@casegrid/identity';
import { PersonalDataVault, type SealedPersonalData } from '@casegrid/personal-data';
import {
  PERSONAL_DATA_KEYS,
  serviceRuntime,
  type PersonalDataKeys,
  type ServiceRuntime,
} from '@casegrid/runtime';
import { waitUntil } from '@casegrid/testing';
import { startTestCasegrid, type TestCasegrid } from './testing/test-casegrid';

/**
 * Issue 3, personal data: clear text given at intake appears in no Kafka message, no
 * table of any schema (events, outbox, inbox, transport, read models) and no log line;
 * responses mask it unless a role that needs it asks, every reveal leaves a record, and
 * erasure makes it unreadable everywhere while the events and their hash chain stay.
 */
const cjk = (): string => String.fromCodePoint(randomInt(0x4e00, 0x9fa5));
const first17 = `110105${1970 + randomInt(40)}0${randomInt(1, 10)}1${randomInt(0, 10)}${String(randomInt(100, 1000))}`;
const CLEAR = {
  name: `欧阳${cjk()}`,
  idNumber: `${first17}${idNumberCheckCharacter(first17)}`,
  phone: `139${String(randomInt(10_000_000, 100_000_000))}`,
  address: `济南市历下区山大路${randomInt(1000, 9999)}号`,
};
const SECRETS = Object.values(CLEAR);

const containsClear = (text: string): string[] => SECRETS.filter((s) => text.includes(s));

describe('personal data', () => {
  let casegrid: TestCasegrid;
  let caseId: string;
  const logs: string[] = [];
  const originalWrite = process.stdout.write.bind(process.stdout);

  beforeAll(async () => {
    // Every line the process logs, at the most verbose level, is kept for the scan (and not
    // echoed: a verbose boot would flood the test output).
    process.stdout.write = (chunk: string | Uint8Array) => {
      logs.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    };
    casegrid = await startTestCasegrid(
      'personal_data',
      {
        LOG_LEVEL: 'verbose',
      },
      { kafka: true },
    );
    const clerk = await casegrid.token('clerk.jiefang');
    const registered = await request(casegrid.url)
      .post('/api/v1/cases')
      .auth(clerk, { type: 'bearer' })
      .send({
        kind: 'dispute',
        channel: 'window',
        title: '房屋漏水纠纷',
        description: '楼上漏水致楼下受损',
        category: 'other',
        regionCode: '370102001001',
        parties: [
          { role: 'applicant', ...CLEAR },
          { role: 'respondent', name: '楼上住户' },
        ],
      })
      .expect(201);
    caseId = (registered.body as { id: string }).id;
    const dispatcher = await casegrid.token('dispatcher.jiefang');
    const seedLead = await request(casegrid.url)
      .get('/api/v1/departments?regionCode=370102001000&limit=200')
      .auth(dispatcher, { type: 'bearer' })
      .expect(200);
    const lead = (seedLead.body as { items: { id: string; type: string }[] }).items.find(
      (d) => d.type === 'judicial_office',
    )!;
    await request(casegrid.url)
      .post(`/api/v1/cases/${caseId}/dispatch`)
      .auth(dispatcher, { type: 'bearer' })
      .send({ leadDepartmentId: lead.id })
      .expect(200);
  });
  afterAll(async () => {
    process.stdout.write = originalWrite;
    await casegrid?.stop();
  });

  const intake = (): ServiceRuntime => casegrid.app.get<ServiceRuntime>(serviceRuntime('intake'));
  const as = async (username: string) =>
    request.agent(casegrid.url).auth(await casegrid.token(username), { type: 'bearer' });

  it('is in no Kafka message: parties travel as sealed references', async () => {
    await waitUntil(async () => (await intake().relay.backlog()) === 0, {
      what: 'the outbox to drain',
    });
    const kafka = new Kafka({ brokers: [...casegrid.kafka!.brokers], logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `leak-scan-${caseId}`, maxWaitTimeInMs: 500 });
    const ours: { value: string; headers: string }[] = [];
    let scanned = 0;
    const leaks: string[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: CASE_EVENTS_TOPIC, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const value = message.value?.toString('utf8') ?? '';
          const headers = JSON.stringify(
            Object.fromEntries(
              Object.entries(message.headers ?? {}).map(([k, v]) => [k, v?.toString()]),
            ),
          );
          scanned += 1;
          leaks.push(...containsClear(value + headers));
          if (message.key?.toString() === caseId) ours.push({ value, headers });
        },
      });
      await waitUntil(async () => ours.length >= 2, {
        what: 'our case events on Kafka',
        timeoutMs: 60_000,
      });
    } finally {
      await consumer.disconnect();
    }
    expect(scanned).toBeGreaterThanOrEqual(2);
    expect(leaks).toEqual([]);
    const registered = JSON.parse(ours[0]!.value) as { parties: { personalData: string }[] };
    for (const party of registered.parties) expect(party.personalData).toMatch(/^pd1\./);
  });

  it('is in no table of any schema: events, outbox, transport, read models', async () => {
    const pool = new Pool({ connectionString: intake().db.pool.options.connectionString, max: 1 });
    try {
      const { rows: tables } = await pool.query<{ schema: string; table: string }>(
        `select table_schema as schema, table_name as table from information_schema.tables
          where table_schema not in ('pg_catalog', 'information_schema') and table_type = 'BASE TABLE'`,
      );
      expect(tables.map((t) => `${t.schema}.${t.table}`)).toEqual(
        expect.arrayContaining([
          'intake.events',
          'intake.outbox',
          'intake.person_keys',
          'intake.persons',
        ]),
      );
      const leaks: string[] = [];
      for (const { schema, table } of tables) {
        const { rows } = await pool.query<{ row: string }>(
          `select t::text as row from "${schema}"."${table}" t`,
        );
        for (const { row } of rows)
          leaks.push(...containsClear(row).map((s) => `${schema}.${table}: ${s}`));
      }
      expect(leaks).toEqual([]);
    } finally {
      await pool.end();
    }
  });

  it('is masked by default for every role that may read the case', async () => {
    for (const username of [
      'clerk.jiefang',
      'handler.jiefang.sfs',
      'supervisor.lixia',
      'inspector.jinan',
    ]) {
      const response = await (
        await as(username)
      )
        .get(`/api/v1/cases/${caseId}/parties`)
        .expect(200);
      const applicant = (response.body as { parties: Record<string, unknown>[] }).parties[0]!;
      expect(applicant).toMatchObject({
        role: 'applicant',
        erased: false,
        name: `欧*${CLEAR.name.at(-1)}`,
        idNumber: `${CLEAR.idNumber.slice(0, 6)}********${CLEAR.idNumber.slice(-4)}`,
        phone: `139****${CLEAR.phone.slice(-4)}`,
        address: '济南市历下区****',
      });
      expect(containsClear(response.text)).toEqual([]);
    }
  });

  it('is revealed to a role that needs it, and the reveal is on record for inspectors', async () => {
    const handler = await as('handler.jiefang.sfs');
    const revealed = await handler
      .post(`/api/v1/cases/${caseId}/parties/reveal`)
      .send({ fields: ['name', 'phone'], reason: '电话联系当事人' })
      .expect(200);
    const applicant = (revealed.body as { parties: Record<string, unknown>[] }).parties[0]!;
    expect(applicant).toMatchObject({
      name: CLEAR.name,
      phone: CLEAR.phone,
      idNumber: null,
      address: null,
    });
    await (
      await as('inspector.jinan')
    )
      .post(`/api/v1/cases/${caseId}/parties/reveal`)
      .send({ reason: '核查' })
      .expect(403);

    const log = await (
      await as('inspector.jinan')
    )
      .get(`/api/v1/cases/${caseId}/personal-data/reveals`)
      .expect(200);
    const me = await handler.get('/api/v1/me').expect(200);
    expect((log.body as { items: unknown[] }).items).toEqual([
      {
        revealedAt: expect.any(String) as string,
        actor: (me.body as { user: { id: string } }).user.id,
        department: (me.body as { user: { departmentId: string } }).user.departmentId,
        partyIds: expect.arrayContaining([applicant.partyId]) as string[],
        fields: ['name', 'phone'],
        reason: '电话联系当事人',
      },
    ]);
  });

  it('is erased by deleting the key: unreadable everywhere, events and their chain unchanged', async () => {
    const chain = async (): Promise<{ hash: string; events: string[] }> => {
      const { rows } = await intake().db.pool.query<{ row: string }>(
        `select json_build_array(event_id, event_type, data, metadata)::text as row from intake.events where stream_id = $1 order by stream_position`,
        [caseId],
      );
      let hash = '';
      for (const { row } of rows)
        hash = createHash('sha256').update(hash).update(row).digest('hex');
      return { hash, events: rows.map((r) => r.row) };
    };
    const before = await chain();
    const parties = await (
      await as('clerk.jiefang')
    )
      .get(`/api/v1/cases/${caseId}/parties`)
      .expect(200);
    const applicant = (parties.body as { parties: { personId: string; partyId: string }[] })
      .parties[0]!;

    const erased = await (
      await as('admin')
    )
      .post(`/api/v1/persons/${applicant.personId}/erasure`)
      .send({ reason: '当事人申请删除个人信息' })
      .expect(200);
    expect(erased.body).toMatchObject({
      personId: applicant.personId,
      alreadyErased: false,
      cases: 1,
    });

    const after = await chain();
    expect(after.events.slice(0, before.events.length)).toEqual(before.events);
    let replayed = '';
    for (const row of after.events.slice(0, before.events.length)) {
      replayed = createHash('sha256').update(replayed).update(row).digest('hex');
    }
    expect(replayed).toBe(before.hash);
    expect(JSON.parse(after.events.at(-1)!)[1]).toBe('PersonalDataErased');

    const view = await (
      await as('handler.jiefang.sfs')
    )
      .get(`/api/v1/cases/${caseId}/parties`)
      .expect(200);
    expect((view.body as { parties: unknown[] }).parties[0]).toMatchObject({
      erased: true,
      name: null,
      idNumber: null,
      phone: null,
      address: null,
    });
    const reveal = await (
      await as('handler.jiefang.sfs')
    )
      .post(`/api/v1/cases/${caseId}/parties/reveal`)
      .send({ reason: '再次联系' })
      .expect(200);
    expect(containsClear(reveal.text)).toEqual([]);

    // A copy elsewhere (Kafka, another service, a backup of the events) is unreadable too.
    const [, , registeredData] = JSON.parse(before.events[0]!) as [
      string,
      string,
      { parties: { personalData: SealedPersonalData }[] },
    ];
    const sealed = registeredData.parties[0]!.personalData;
    const keys = casegrid.app.get<PersonalDataKeys>(PERSONAL_DATA_KEYS);
    const elsewhere = new PersonalDataVault({
      pool: intake().db.pool,
      schema: 'intake',
      kek: keys.kek,
      cacheTtlMs: 0,
    });
    await expect(elsewhere.open(sealed)).resolves.toMatchObject({ status: 'erased' });
  });

  it('is in no log line', () => {
    expect(logs.length).toBeGreaterThan(0);
    expect(containsClear(logs.join(''))).toEqual([]);
  });
});
