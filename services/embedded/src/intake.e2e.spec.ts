import request from 'supertest';
import type { ServiceRuntime } from '@casegrid/runtime';
import { serviceRuntime } from '@casegrid/runtime';
import { readSeed } from '@casegrid/service-intake';
import { freshIdNumber, startTestCasegrid, type TestCasegrid } from './testing/test-casegrid';

/**
 * Intake over HTTP (issue 4): registration with every field checked and nothing written
 * on bad input, Idempotency-Key, gapless numbers under concurrency, and the lifecycle.
 */
const body = (overrides: Record<string, unknown> = {}) => ({
  kind: 'dispute',
  channel: 'window',
  title: '邻里噪音纠纷',
  description: '楼上装修噪音持续',
  category: 'other',
  regionCode: '370102001001',
  parties: [{ role: 'applicant', name: '王五', idNumber: freshIdNumber(), phone: '13812345678' }],
  ...overrides,
});

describe('intake over HTTP', () => {
  let casegrid: TestCasegrid;
  const seed = readSeed();
  const department = (name: string): string => seed.departments.find((d) => d.name === name)!.id;
  const as = async (username: string) =>
    request.agent(casegrid.url).auth(await casegrid.token(username), { type: 'bearer' });
  const eventCount = async (): Promise<number> => {
    const intake = casegrid.app.get<ServiceRuntime>(serviceRuntime('intake'));
    const { rows } = await intake.db.pool.query<{ n: string }>(
      'select count(*) as n from intake.events',
    );
    return Number(rows[0]!.n);
  };

  beforeAll(async () => {
    casegrid = await startTestCasegrid('intake_http');
  });
  afterAll(async () => {
    await casegrid?.stop();
  });

  describe('the organisation', () => {
    const counts = async () => {
      const intake = casegrid.app.get<ServiceRuntime>(serviceRuntime('intake'));
      const { rows } = await intake.db.pool.query<{ n: string }>(
        'select (select count(*) from intake.regions) + (select count(*) from intake.departments) + (select count(*) from intake.users) as n',
      );
      return Number(rows[0]!.n);
    };
    it.each([
      ['regions', {}, ['code', 'name']],
      ['regions', { code: '37010200100', name: '' }, ['code', 'name']],
      ['regions', { code: '370102009001', name: '无上级社区' }, ['code']],
      [
        'departments',
        { name: 'x'.repeat(101), type: 'ministry', regionCode: '3701' },
        ['name', 'type', 'regionCode'],
      ],
      [
        'departments',
        { name: '不存在地区的部门', type: 'housing', regionCode: '370102009000' },
        ['regionCode'],
      ],
      [
        'users',
        { username: 'a b', name: '', departmentId: 'nope', roles: ['king'], password: 'short' },
        ['username', 'name', 'departmentId', 'roles', 'password'],
      ],
      [
        'users',
        {
          username: 'ghost.user',
          name: '幽灵',
          departmentId: '0193a000-0000-7000-8000-00000000dead',
          roles: ['handler'],
          password: 'a-long-enough-password',
        },
        ['departmentId'],
      ],
    ])(
      'POST /%s refuses %j, listing every field, and writes nothing',
      async (resource, payload, fields) => {
        const before = await counts();
        const response = await (
          await as('admin')
        )
          .post(`/api/v1/${resource}`)
          .send(payload)
          .expect(400);
        expect(
          (response.body as { errors: { field: string }[] }).errors.map((e) => e.field).sort(),
        ).toEqual([...fields].sort());
        expect(await counts()).toBe(before);
      },
    );

    it('answers a retried POST /departments with the first department, and another body with 422', async () => {
      const admin = await as('admin');
      const payload = {
        name: '解放路街道市场监管所',
        type: 'market_regulation',
        regionCode: '370102001000',
      };
      const first = await admin
        .post('/api/v1/departments')
        .set('Idempotency-Key', 'dept-0001')
        .send(payload)
        .expect(201);
      const before = await counts();
      const retry = await admin
        .post('/api/v1/departments')
        .set('Idempotency-Key', 'dept-0001')
        .send(payload)
        .expect(201);
      expect(retry.body).toEqual(first.body);
      expect(await counts()).toBe(before);
      await admin
        .post('/api/v1/departments')
        .set('Idempotency-Key', 'dept-0001')
        .send({ ...payload, name: '另一个' })
        .expect(422);
    });

    it('refuses a taken username and an existing region with 409', async () => {
      const admin = await as('admin');
      await admin
        .post('/api/v1/regions')
        .send({ code: '370102001001', name: '山大路社区' })
        .expect(409);
      await admin
        .post('/api/v1/users')
        .send({
          username: 'CLERK.JIEFANG',
          name: '重名',
          departmentId: department('解放路街道司法所'),
          roles: ['handler'],
          password: 'a-long-enough-password',
        })
        .expect(409);
    });

    it('creates a user who can sign in and act in their department', async () => {
      const admin = await as('admin');
      await admin
        .post('/api/v1/users')
        .send({
          username: 'new.handler',
          name: '新承办人',
          departmentId: department('解放路街道派出所'),
          roles: ['handler'],
          password: 'a-long-enough-password',
        })
        .expect(201);
      const token = await casegrid.token('new.handler', 'a-long-enough-password');
      const me = await request(casegrid.url)
        .get('/api/v1/me')
        .auth(token, { type: 'bearer' })
        .expect(200);
      expect(me.body).toMatchObject({
        department: { name: '解放路街道派出所' },
        jurisdiction: { regionCode: '370102001000' },
      });
    });
  });

  describe('registration', () => {
    it.each([
      [
        'an empty body',
        {},
        ['kind', 'channel', 'title', 'description', 'category', 'regionCode', 'parties'],
      ],
      [
        'wrong enums',
        { kind: 'complaint', channel: 'fax', urgency: 'now', severity: 'huge' },
        ['kind', 'channel', 'urgency', 'severity'],
      ],
      [
        'wrong types',
        { title: 42, parties: 'someone', attachments: {} },
        ['title', 'parties', 'attachments'],
      ],
      [
        'oversized text',
        { title: '长'.repeat(201), description: 'x'.repeat(5001) },
        ['title', 'description'],
      ],
      ['a malformed region code', { regionCode: '3701' }, ['regionCode']],
      [
        'a bad id check digit and phone',
        {
          parties: [
            { role: 'applicant', name: '王五', idNumber: '110105194912310021', phone: '12345' },
          ],
        },
        ['parties[0].idNumber', 'parties[0].phone'],
      ],
      ['a time without an offset', { receivedAt: '2026-03-02T09:00:00' }, ['receivedAt']],
      ['an unknown field', { priority: 'high' }, ['priority']],
      [
        'a bad attachment',
        { attachments: [{ name: 'a.pdf', sha256: 'abc', size: -1 }] },
        ['attachments[0].sha256', 'attachments[0].size'],
      ],
    ])('refuses %s, listing every field, and writes nothing', async (_what, overrides, fields) => {
      const before = await eventCount();
      const payload = Object.keys(overrides).length === 0 ? {} : body(overrides);
      const response = await (
        await as('clerk.jiefang')
      )
        .post('/api/v1/cases')
        .send(payload)
        .expect(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      const reported = (response.body as { errors: { field: string }[] }).errors.map(
        (e) => e.field,
      );
      expect(reported).toEqual(expect.arrayContaining(fields));
      expect(await eventCount()).toBe(before);
    });

    it.each([
      ['an unknown region', { regionCode: '370102001099' }, ['regionCode']],
      ['an unknown category', { category: 'alien_abduction' }, ['category']],
      [
        'a future receipt and no applicant',
        {
          receivedAt: '2099-01-01T00:00:00+08:00',
          parties: [{ role: 'respondent', name: '赵六' }],
        },
        ['receivedAt', 'parties'],
      ],
    ])('refuses %s against the reference data and the clock', async (_what, overrides, fields) => {
      const before = await eventCount();
      const response = await (
        await as('clerk.jiefang')
      )
        .post('/api/v1/cases')
        .send(body(overrides))
        .expect(400);
      expect(
        (response.body as { errors: { field: string }[] }).errors.map((e) => e.field).sort(),
      ).toEqual([...fields].sort());
      expect(await eventCount()).toBe(before);
    });

    it('answers a retry with the same Idempotency-Key with the first response, and another body with 422', async () => {
      const clerk = await as('clerk.jiefang');
      const submission = body();
      const first = await clerk
        .post('/api/v1/cases')
        .set('Idempotency-Key', 'reg-0001')
        .send(submission)
        .expect(201);
      const before = await eventCount();
      const retry = await clerk
        .post('/api/v1/cases')
        .set('Idempotency-Key', 'reg-0001')
        .send(submission)
        .expect(201);
      expect(retry.body).toEqual(first.body);
      expect(await eventCount()).toBe(before);
      const other = await clerk
        .post('/api/v1/cases')
        .set('Idempotency-Key', 'reg-0001')
        .send({ ...submission, title: '另一件事' })
        .expect(422);
      expect(other.body).toMatchObject({
        status: 422,
        type: expect.stringMatching(/idempotency_key_reused$/) as string,
      });
      expect(await eventCount()).toBe(before);
      await clerk
        .post('/api/v1/cases')
        .set('Idempotency-Key', 'bad key with spaces')
        .send(submission)
        .expect(400);
    });

    it('numbers 200 concurrent registrations in one county without gaps or duplicates', async () => {
      const clerk = await as('clerk.lixia');
      const responses = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          clerk.post('/api/v1/cases').send(
            body({
              regionCode: i % 2 ? '370102001002' : '370102002001',
              parties: [{ role: 'applicant', name: `申请人${i}` }],
            }),
          ),
        ),
      );
      expect(responses.map((r) => r.status).filter((s) => s !== 201)).toEqual([]);
      const numbers = responses.map((r) => (r.body as { number: string }).number);
      expect(new Set(numbers).size).toBe(200);
      const sequence = numbers
        .map((n) => Number(/^\d{4}-370102-(\d{6})$/.exec(n)?.[1]))
        .sort((a, b) => a - b);
      expect(sequence.at(-1)! - sequence[0]! + 1).toBe(200);
    });
  });

  describe('routing at registration', () => {
    const eventsOf = async (caseId: string) => {
      const intake = casegrid.app.get<ServiceRuntime>(serviceRuntime('intake'));
      const { rows } = await intake.db.pool.query<{
        event_type: string;
        data: Record<string, unknown>;
      }>(
        'select event_type, data from intake.events where stream_id = $1 order by stream_position',
        [caseId],
      );
      return rows;
    };

    it('dispatches a neighbour dispute to the community mediation committee, and says why', async () => {
      const response = await (
        await as('clerk.jiefang')
      )
        .post('/api/v1/cases')
        .send(body({ category: 'neighbor' }))
        .expect(201);
      const { id, status } = response.body as { id: string; status: string };
      expect(status).toBe('dispatched');
      const [registered, dispatched] = await eventsOf(id);
      expect(registered?.event_type).toBe('CaseRegistered');
      expect(dispatched).toMatchObject({
        event_type: 'CaseDispatched',
        data: {
          by: 'rule',
          leadDepartmentId: department('山大路社区人民调解委员会'),
          coDepartmentIds: [department('山大路社区居民委员会')],
          ruleId: expect.any(String) as string,
          explanation: expect.stringContaining('370102001001') as string,
        },
      });
      // The lead's mediator signs for it.
      await (
        await as('mediator.shanda')
      )
        .post(`/api/v1/cases/${id}/accept`)
        .send({ track: 'mediation' })
        .expect(200);
    });

    it('sends a major labour dispute to the district labour inspectorate', async () => {
      const response = await (
        await as('clerk.jiefang')
      )
        .post('/api/v1/cases')
        .send(body({ category: 'labor_wage', severity: 'major' }))
        .expect(201);
      const [, dispatched] = await eventsOf((response.body as { id: string }).id);
      expect(dispatched?.data).toMatchObject({
        by: 'rule',
        leadDepartmentId: department('历下区人力资源和社会保障局（劳动监察大队）'),
      });
    });

    it('leaves a case no rule covers waiting for the township dispatcher, and says why', async () => {
      const response = await (
        await as('clerk.jiefang')
      )
        .post('/api/v1/cases')
        .send(body({ category: 'other' }))
        .expect(201);
      const { id, status } = response.body as { id: string; status: string };
      expect(status).toBe('registered');
      const [, waiting] = await eventsOf(id);
      expect(waiting).toMatchObject({
        event_type: 'CaseAwaitingDispatch',
        data: {
          reason: 'no_rule',
          dispatcherRegionCode: '370102001000',
          explanation: expect.any(String) as string,
        },
      });
    });
  });

  describe('repeat submissions', () => {
    it('link to the open case of the same applicant, category and village, and count', async () => {
      const clerk = await as('clerk.jiefang');
      const submission = body();
      const first = (await clerk.post('/api/v1/cases').send(submission).expect(201)).body as {
        id: string;
        number: string;
      };
      const again = await clerk
        .post('/api/v1/cases')
        .send({
          ...submission,
          channel: 'hotline',
          title: '再次反映',
          parties: [{ ...submission.parties[0], name: '王五' }],
        })
        .expect(200);
      expect(again.body).toEqual({
        id: first.id,
        number: first.number,
        status: 'registered',
        version: 3,
        repeat: true,
        submissionCount: 2,
      });
      // Another category, or another village, is a new case.
      await clerk
        .post('/api/v1/cases')
        .send({ ...submission, category: 'contract' })
        .expect(201);
      await clerk
        .post('/api/v1/cases')
        .send({ ...submission, regionCode: '370102001002' })
        .expect(201);
    });

    it('open a new case once the first is resolved', async () => {
      const clerk = await as('clerk.jiefang');
      const submission = body();
      const first = (
        (await clerk.post('/api/v1/cases').send(submission).expect(201)).body as { id: string }
      ).id;
      await (
        await as('dispatcher.jiefang')
      )
        .post(`/api/v1/cases/${first}/dispatch`)
        .send({ leadDepartmentId: department('解放路街道司法所') })
        .expect(200);
      const handler = await as('handler.jiefang.sfs');
      await handler.post(`/api/v1/cases/${first}/accept`).send({ track: 'direct' }).expect(200);
      await handler
        .post(`/api/v1/cases/${first}/resolve`)
        .send({ outcome: 'resolved', summary: '已解决' })
        .expect(200);
      const second = await clerk.post('/api/v1/cases').send(submission).expect(201);
      expect((second.body as { id: string }).id).not.toBe(first);
    });

    it('link ten identical submissions arriving together to one case', async () => {
      const clerk = await as('clerk.jiefang');
      const submission = body();
      const responses = await Promise.all(
        Array.from({ length: 10 }, () => clerk.post('/api/v1/cases').send(submission)),
      );
      expect(responses.map((r) => r.status).sort()).toEqual([
        200, 200, 200, 200, 200, 200, 200, 200, 200, 201,
      ]);
      expect(new Set(responses.map((r) => (r.body as { id: string }).id)).size).toBe(1);
      expect(
        Math.max(...responses.map((r) => (r.body as { submissionCount: number }).submissionCount)),
      ).toBe(10);
    });
  });

  describe('commands on a case', () => {
    const UNKNOWN = '0193a000-0000-7000-8000-00000000dead';
    const BAD: readonly (readonly [string, string, string[], Record<string, unknown>])[] = [
      ['dispatch', 'dispatcher.jiefang', ['leadDepartmentId'], {}],
      [
        'dispatch',
        'dispatcher.jiefang',
        ['leadDepartmentId', 'coDepartmentIds'],
        { leadDepartmentId: 'x', coDepartmentIds: ['y'] },
      ],
      [
        'dispatch',
        'dispatcher.jiefang',
        ['leadDepartmentId', 'coDepartmentIds[0]'],
        { leadDepartmentId: UNKNOWN, coDepartmentIds: [UNKNOWN] },
      ],
      [
        'accept',
        'handler.jiefang.sfs',
        ['track', 'handlerId'],
        { track: 'courtroom', handlerId: 'me' },
      ],
      ['return', 'handler.jiefang.sfs', ['reason'], { reason: '' }],
      [
        'transfer',
        'handler.jiefang.sfs',
        ['toDepartmentId'],
        { toDepartmentId: UNKNOWN, reason: '移交' },
      ],
      [
        'transfer',
        'dispatcher.jiefang',
        ['toDepartmentId', 'reason'],
        { reason: 'x'.repeat(1001) },
      ],
      ['escalate', 'handler.jiefang.sfs', ['reason'], { reason: 42 }],
      [
        'resolve',
        'handler.jiefang.sfs',
        ['outcome', 'summary', 'referral'],
        { outcome: 'settled', summary: '', referral: 'court' },
      ],
    ];
    it.each(BAD)(
      '%s as %s refuses bad %j, listing them, and writes nothing',
      async (command, username, fields, payload) => {
        const id = (
          (await (await as('clerk.jiefang')).post('/api/v1/cases').send(body()).expect(201))
            .body as { id: string }
        ).id;
        await (
          await as('dispatcher.jiefang')
        )
          .post(`/api/v1/cases/${id}/dispatch`)
          .send({ leadDepartmentId: department('解放路街道司法所') })
          .expect(200);
        const before = await eventCount();
        const response = await (
          await as(username)
        )
          .post(`/api/v1/cases/${id}/${command}`)
          .send(payload)
          .expect(400);
        expect(
          (response.body as { errors: { field: string }[] }).errors.map((e) => e.field).sort(),
        ).toEqual([...fields].sort());
        expect(await eventCount()).toBe(before);
      },
    );

    it('answers a malformed case id with 400 and an unknown one with 404', async () => {
      const dispatcher = await as('dispatcher.jiefang');
      await dispatcher
        .post('/api/v1/cases/not-a-uuid/dispatch')
        .send({ leadDepartmentId: department('解放路街道司法所') })
        .expect(400);
      await dispatcher
        .post(`/api/v1/cases/${UNKNOWN}/dispatch`)
        .send({ leadDepartmentId: department('解放路街道司法所') })
        .expect(404);
    });
  });

  describe('the lifecycle', () => {
    const lead = () => department('解放路街道司法所');
    const register = async (): Promise<string> =>
      (
        (await (await as('clerk.jiefang')).post('/api/v1/cases').send(body()).expect(201)).body as {
          id: string;
        }
      ).id;
    const dispatchTo = async (id: string, leadId: string) =>
      (await as('dispatcher.jiefang'))
        .post(`/api/v1/cases/${id}/dispatch`)
        .send({ leadDepartmentId: leadId })
        .expect(200);

    it('dispatches, accepts on the direct track, resolves; a second accept is a 409 that says why', async () => {
      const id = await register();
      await dispatchTo(id, lead());
      const handler = await as('handler.jiefang.sfs');
      await handler
        .post(`/api/v1/cases/${id}/accept`)
        .send({ track: 'direct' })
        .expect(200, { id, version: 4, status: 'accepted' });
      const again = await handler
        .post(`/api/v1/cases/${id}/accept`)
        .send({ track: 'direct' })
        .expect(409);
      expect((again.body as { detail: string }).detail).toMatch(
        /only a dispatched case is accepted/,
      );
      await handler
        .post(`/api/v1/cases/${id}/resolve`)
        .send({ outcome: 'referred', summary: '引导诉讼' })
        .expect(400);
      await handler
        .post(`/api/v1/cases/${id}/resolve`)
        .send({ outcome: 'referred', summary: '引导诉讼', referral: 'litigation' })
        .expect(200, { id, version: 5, status: 'referred' });
    });

    it('carries the stream version as ETag and honours If-Match (412 when stale)', async () => {
      const id = await register();
      const dispatched = await dispatchTo(id, lead());
      expect(dispatched.headers['etag']).toBe(
        `"${(dispatched.body as { version: number }).version}"`,
      );
      const handler = await as('handler.jiefang.sfs');
      const stale = await handler
        .post(`/api/v1/cases/${id}/accept`)
        .set('If-Match', '"1"')
        .send({ track: 'direct' })
        .expect(412);
      expect(stale.body).toMatchObject({
        status: 412,
        type: expect.stringMatching(/precondition_failed$/) as string,
      });
      await handler
        .post(`/api/v1/cases/${id}/accept`)
        .set('If-Match', 'yesterday')
        .send({ track: 'direct' })
        .expect(400);
      await handler
        .post(`/api/v1/cases/${id}/accept`)
        .set('If-Match', dispatched.headers['etag'] as string)
        .send({ track: 'direct' })
        .expect(200);
    });

    it('replays a conditional command retried under its key, instead of a 412 to its own first attempt', async () => {
      const id = await register();
      const dispatched = await dispatchTo(id, lead());
      const etag = dispatched.headers['etag'] as string;
      const handler = await as('handler.jiefang.sfs');
      const accept = (key: string) =>
        handler
          .post(`/api/v1/cases/${id}/accept`)
          .set('If-Match', etag)
          .set('Idempotency-Key', key)
          .send({ track: 'direct' });
      const first = await accept(`accept-${id}`).expect(200);
      // The answer was lost; the client sends the very same request again.
      const again = await accept(`accept-${id}`).expect(200);
      expect(again.body).toEqual(first.body);
      // A new request on the version it read is still a 412.
      await accept(`accept-again-${id}`).expect(412);
    });

    it('returns to the dispatcher, who dispatches again', async () => {
      const id = await register();
      await dispatchTo(id, lead());
      await (
        await as('handler.jiefang.sfs')
      )
        .post(`/api/v1/cases/${id}/return`)
        .send({ reason: '属派出所职责' })
        .expect(200, { id, version: 4, status: 'registered' });
      await dispatchTo(id, department('解放路街道派出所'));
      await (
        await as('handler.jiefang.pcs')
      )
        .post(`/api/v1/cases/${id}/accept`)
        .send({ track: 'direct' })
        .expect(200);
    });

    it('transfers to another department and escalates one tier up', async () => {
      const id = await register();
      await dispatchTo(id, lead());
      await (
        await as('dispatcher.jiefang')
      )
        .post(`/api/v1/cases/${id}/transfer`)
        .send({ toDepartmentId: department('解放路街道人民调解委员会'), reason: '宜先行调解' })
        .expect(200);
      const mediator = await as('mediator.jiefang');
      await mediator.post(`/api/v1/cases/${id}/accept`).send({ track: 'mediation' }).expect(200);
      await (
        await as('handler.jiefang.sfs')
      )
        .post(`/api/v1/cases/${id}/accept`)
        .send({ track: 'direct' })
        .expect(404);
      // Up one tier: the district's mediation committee must sign for it in turn.
      await mediator
        .post(`/api/v1/cases/${id}/escalate`)
        .send({ reason: '需区级协调' })
        .expect(200, { id, version: 6, status: 'dispatched' });
      await mediator.post(`/api/v1/cases/${id}/accept`).send({ track: 'mediation' }).expect(404);
    });

    it('refuses an accept with a handler from another department', async () => {
      const id = await register();
      await dispatchTo(id, lead());
      const stranger = seed.users.find((u) => u.username === 'handler.lixia.hrss')!;
      void stranger;
      const response = await (
        await as('handler.jiefang.sfs')
      )
        .post(`/api/v1/cases/${id}/accept`)
        .send({ track: 'direct', handlerId: '0193a000-0000-7000-8000-00000000ffff' })
        .expect(400);
      expect((response.body as { errors: { field: string }[] }).errors[0]!.field).toBe('handlerId');
    });
  });
});
