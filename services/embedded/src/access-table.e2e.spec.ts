import request from 'supertest';

type Agent = request.Agent;
import { DEFAULT_DEADLINE_POLICIES } from '@casegrid/deadlines';
import { ROLES, type Role } from '@casegrid/identity';
import { readSeed } from '@casegrid/service-intake';
import { heldUntilWritten } from './testing/role-table';
import { freshIdNumber, startTestCasegrid, type TestCasegrid } from './testing/test-casegrid';

/**
 * Every endpoint that exists × every role × a case inside and a case outside the
 * caller's jurisdiction, with the status each must get (issue 3). The expectations are
 * written out, not derived from the policy: this table is the policy's specification.
 * Later issues add their endpoints as rows.
 */

// One seeded user per role, all with jurisdiction over 山大路社区 (370102001001).
const USER: Readonly<Record<Role, string>> = {
  intake_clerk: 'clerk.jiefang',
  grid_worker: 'grid.shanda',
  dispatcher: 'dispatcher.jiefang',
  handler: 'handler.jiefang.sfs',
  mediator: 'mediator.jiefang',
  petition_officer: 'petition.lixia',
  supervisor: 'supervisor.lixia',
  inspector: 'inspector.jinan',
  admin: 'admin',
};

type Statuses = Readonly<Record<Role, number>>;
/** In API.md's order of roles: clerk, grid, dispatcher, handler, mediator, petition, supervisor, inspector, admin. */
const S = (
  ...s: [number, number, number, number, number, number, number, number, number]
): Statuses => Object.fromEntries(ROLES.map((role, i) => [role, s[i]])) as Statuses;
const ALL = (status: number): Statuses =>
  S(status, status, status, status, status, status, status, status, status);
const ADMIN_ONLY = (ok: number): Statuses => S(403, 403, 403, 403, 403, 403, 403, 403, ok);

interface Target {
  readonly caseId: string;
  readonly regionCode: string;
  readonly leadDepartmentId: string;
  /** A registered, undispatched case made for this one request. */
  freshCase(): Promise<string>;
  /** Dispatched to `leadDepartmentId` (and the co-handlers of `caseId`). */
  freshDispatched(): Promise<string>;
  /** Accepted on the direct track by the lead's handler. */
  freshAccepted(): Promise<string>;
  /** A department to transfer to. */
  readonly otherDepartmentId: string;
  /** A person on a case made for this one request. */
  freshPerson(): Promise<string>;
  /** Accepted on the direct track and resolved, with the outcome in the ledger. */
  freshResolved(): Promise<string>;
  /** Dispatched, with the lead's accept clock in the ledger: its `deadlines/{clockId}` path. */
  freshAcceptClock(): Promise<string>;
}
type Send = (http: request.Agent, target: Target, n: number) => Promise<request.Response>;

type Fresh = {
  [K in keyof Target]: Target[K] extends () => Promise<string> ? K : never;
}[keyof Target];
/** `target` whose fresh cases, once made, are handed out again. */
const holding = (target: Target): Target => {
  const kept = new Map<Fresh, Promise<string>>();
  const keep = (name: Fresh) => (): Promise<string> => {
    const made = kept.get(name) ?? target[name]();
    kept.set(name, made);
    return made;
  };
  return {
    ...target,
    freshCase: keep('freshCase'),
    freshDispatched: keep('freshDispatched'),
    freshAccepted: keep('freshAccepted'),
    freshPerson: keep('freshPerson'),
    freshResolved: keep('freshResolved'),
    freshAcceptClock: keep('freshAcceptClock'),
  };
};

interface Row {
  readonly endpoint: string;
  readonly send: Send;
  readonly inside: Statuses;
  /** Outside the jurisdiction; the same as `inside` for endpoints without a case. */
  readonly outside?: Statuses;
}

const party = {
  role: 'applicant',
  name: '李四',
  idNumber: freshIdNumber(),
  phone: '13912345678',
};
const caseBody = (regionCode: string) => ({
  kind: 'dispute',
  channel: 'window',
  title: '邻里噪音纠纷',
  description: '楼上装修噪音持续',
  category: 'other',
  regionCode,
  parties: [{ ...party, idNumber: freshIdNumber() }],
});

const SEED = readSeed();
const ROUTED_REGIONS = SEED.regions.map((r) => r.code).filter((code) => code.length === 12);
const SEED_RULE = SEED.routingRules.find((r) => r.category === 'consumer')!;

const ROWS: readonly Row[] = [
  { endpoint: 'GET /me', send: (h) => h.get('/api/v1/me'), inside: ALL(200) },
  { endpoint: 'GET /regions', send: (h) => h.get('/api/v1/regions'), inside: ALL(200) },
  { endpoint: 'GET /departments', send: (h) => h.get('/api/v1/departments'), inside: ALL(200) },
  { endpoint: 'GET /users', send: (h) => h.get('/api/v1/users'), inside: ALL(200) },
  { endpoint: 'GET /categories', send: (h) => h.get('/api/v1/categories'), inside: ALL(200) },
  { endpoint: 'GET /routing-rules', send: (h) => h.get('/api/v1/routing-rules'), inside: ALL(200) },
  {
    endpoint: 'GET /calendars/{year}',
    send: (h) => h.get('/api/v1/calendars/2026'),
    inside: ALL(200),
  },
  {
    endpoint: 'PUT /calendars/{year}',
    send: (h) =>
      h.put('/api/v1/calendars/2030').send({ holidays: ['2030-01-01'], makeupWorkdays: [] }),
    // 201 loads the year; the admin's second call replaces it.
    inside: S(403, 403, 403, 403, 403, 403, 403, 403, 201),
    outside: S(403, 403, 403, 403, 403, 403, 403, 403, 200),
  },
  {
    endpoint: 'GET /deadline-policies',
    send: (h) => h.get('/api/v1/deadline-policies'),
    inside: ALL(200),
  },
  {
    endpoint: 'PUT /deadline-policies',
    send: (h) => h.put('/api/v1/deadline-policies').send({ items: [DEFAULT_DEADLINE_POLICIES[0]] }),
    inside: ADMIN_ONLY(200),
  },
  {
    endpoint: 'POST /calendars/{year}/preview',
    send: (h) =>
      h
        .post('/api/v1/calendars/2030/preview')
        .send({ holidays: ['2030-01-01'], makeupWorkdays: [] }),
    inside: ADMIN_ONLY(200),
  },
  {
    endpoint: 'POST /deadline-policies/preview',
    send: (h) =>
      h
        .post('/api/v1/deadline-policies/preview')
        .send({ items: [DEFAULT_DEADLINE_POLICIES[0]], applyToRunning: true }),
    inside: ADMIN_ONLY(200),
  },
  {
    endpoint: 'POST /routing-rules',
    // Each admin call writes a rule with criteria no other rule has (no tie).
    send: (h, _t, n) =>
      h.post('/api/v1/routing-rules').send({
        category: ['business', 'damages', 'village_affairs', 'fire'][n % 4],
        regionCode: ROUTED_REGIONS[Math.floor(n / 4) % ROUTED_REGIONS.length],
        leadDepartmentType: 'governance_center',
        tier: 'township',
      }),
    inside: ADMIN_ONLY(201),
  },
  {
    endpoint: 'PUT /routing-rules/{id}',
    send: (h) =>
      h
        .put(`/api/v1/routing-rules/${SEED_RULE.id}`)
        .send({ ...SEED_RULE, id: undefined, note: '表格测试' }),
    inside: ADMIN_ONLY(200),
  },
  {
    endpoint: 'POST /regions',
    send: (h, _t, n) =>
      h
        .post('/api/v1/regions')
        .send({ code: `370102001001${String(100 + n)}`, name: `第${n}网格` }),
    inside: ADMIN_ONLY(201),
  },
  {
    endpoint: 'POST /departments',
    send: (h, t, n) =>
      h
        .post('/api/v1/departments')
        .send({ name: `测试部门${n}`, type: 'housing', regionCode: t.regionCode }),
    inside: ADMIN_ONLY(201),
  },
  {
    endpoint: 'POST /users',
    send: (h, t, n) =>
      h.post('/api/v1/users').send({
        username: `table.user.${n}`,
        name: '测试',
        departmentId: t.leadDepartmentId,
        roles: ['handler'],
        password: 'a-long-test-password',
      }),
    inside: ADMIN_ONLY(201),
  },
  {
    endpoint: 'POST /cases',
    send: (h, t) => h.post('/api/v1/cases').send(caseBody(t.regionCode)),
    inside: S(201, 201, 403, 403, 403, 403, 403, 403, 403),
    outside: ALL(403),
  },
  {
    endpoint: 'POST /cases/{id}/dispatch',
    send: async (h, t) =>
      h
        .post(`/api/v1/cases/${await t.freshCase()}/dispatch`)
        .send({ leadDepartmentId: t.leadDepartmentId }),
    inside: S(403, 403, 200, 404, 404, 404, 403, 403, 404),
    outside: ALL(404),
  },
  {
    endpoint: 'POST /cases/{id}/accept',
    send: async (h, t) =>
      h.post(`/api/v1/cases/${await t.freshDispatched()}/accept`).send({ track: 'direct' }),
    inside: S(403, 403, 403, 200, 403, 403, 403, 403, 404),
    outside: ALL(404),
  },
  {
    endpoint: 'POST /cases/{id}/return',
    send: async (h, t) =>
      h
        .post(`/api/v1/cases/${await t.freshDispatched()}/return`)
        .send({ reason: '不属于本单位职责' }),
    inside: S(403, 403, 403, 200, 403, 403, 403, 403, 404),
    outside: ALL(404),
  },
  {
    endpoint: 'POST /cases/{id}/transfer',
    send: async (h, t) =>
      h
        .post(`/api/v1/cases/${await t.freshDispatched()}/transfer`)
        .send({ toDepartmentId: t.otherDepartmentId, reason: '属其他部门职责' }),
    inside: S(403, 403, 200, 200, 403, 403, 403, 403, 404),
    outside: ALL(404),
  },
  {
    endpoint: 'POST /cases/{id}/escalate',
    send: async (h, t) =>
      h.post(`/api/v1/cases/${await t.freshDispatched()}/escalate`).send({ reason: '需上级协调' }),
    inside: S(403, 403, 403, 200, 403, 403, 403, 403, 404),
    outside: ALL(404),
  },
  {
    endpoint: 'POST /cases/{id}/resolve',
    send: async (h, t) =>
      h
        .post(`/api/v1/cases/${await t.freshAccepted()}/resolve`)
        .send({ outcome: 'resolved', summary: '已调解' }),
    inside: S(403, 403, 403, 200, 403, 403, 403, 403, 404),
    outside: ALL(404),
  },
  {
    endpoint: 'GET /cases/{id}/parties',
    send: (h, t) => h.get(`/api/v1/cases/${t.caseId}/parties`),
    inside: S(200, 200, 200, 200, 200, 200, 200, 200, 404),
    outside: ALL(404),
  },
  {
    endpoint: 'POST /cases/{id}/parties/reveal',
    send: (h, t) =>
      h
        .post(`/api/v1/cases/${t.caseId}/parties/reveal`)
        .send({ fields: ['phone'], reason: '回访' }),
    inside: S(200, 200, 403, 200, 200, 200, 200, 403, 404),
    outside: ALL(404),
  },
  {
    endpoint: 'GET /cases/{id}/personal-data/reveals',
    send: (h, t) => h.get(`/api/v1/cases/${t.caseId}/personal-data/reveals`),
    inside: S(403, 403, 403, 403, 403, 403, 200, 200, 404),
    outside: ALL(404),
  },
  { endpoint: 'GET /cases', send: (h) => h.get('/api/v1/cases'), inside: ALL(200) },
  {
    endpoint: 'GET /cases/{id}',
    send: (h, t) => h.get(`/api/v1/cases/${t.caseId}`),
    inside: S(200, 200, 200, 200, 200, 200, 200, 200, 404),
    outside: ALL(404),
  },
  {
    endpoint: 'POST /cases/{id}/supervision-orders',
    send: (h, t) =>
      h.post(`/api/v1/cases/${t.caseId}/supervision-orders`).send({
        responsibleLeader: '王副区长',
        responsibleDepartmentId: t.leadDepartmentId,
        dueAt: new Date(Date.now() + 10 * 86_400_000).toISOString(),
        instructions: '限期化解',
      }),
    inside: S(403, 403, 403, 403, 403, 403, 200, 403, 404),
    outside: ALL(404),
  },
  {
    endpoint: 'POST /cases/{id}/follow-ups',
    send: async (h, t) =>
      h
        .post(`/api/v1/cases/${await t.freshResolved()}/follow-ups`)
        .send({ method: 'phone', satisfaction: 'satisfied', notes: '电话回访' }),
    inside: S(403, 200, 403, 403, 403, 403, 200, 403, 404),
    outside: ALL(404),
  },
  {
    endpoint: 'POST /cases/{id}/close',
    // Resolved but not yet followed up: the supervisor may, the case may not yet (409).
    send: async (h, t) =>
      h.post(`/api/v1/cases/${await t.freshResolved()}/close`).send({ note: '销号' }),
    inside: S(403, 403, 403, 403, 403, 403, 409, 403, 404),
    outside: ALL(404),
  },
  {
    endpoint: 'POST /cases/{id}/reopen',
    send: async (h, t) =>
      h.post(`/api/v1/cases/${await t.freshResolved()}/reopen`).send({ reason: '复查未解决' }),
    inside: S(403, 403, 403, 403, 403, 403, 200, 403, 404),
    outside: ALL(404),
  },
  {
    endpoint: 'POST /cases/{id}/deadlines/{clockId}/pause',
    // The lead's accept clock; co-handlers' officers may not pause the lead's clocks.
    send: async (h, t) =>
      h
        .post(`/api/v1/cases/${await t.freshAcceptClock()}/pause`)
        .send({ reason: '等待鉴定', approvedBy: '负责人' }),
    inside: S(403, 403, 403, 200, 403, 403, 200, 403, 404),
    outside: ALL(404),
  },
  { endpoint: 'GET /stats', send: (h) => h.get('/api/v1/stats'), inside: ALL(200) },
  { endpoint: 'GET /notices', send: (h) => h.get('/api/v1/notices'), inside: ALL(200) },
  {
    endpoint: 'POST /persons/{id}/erasure',
    send: async (h, t) =>
      h.post(`/api/v1/persons/${await t.freshPerson()}/erasure`).send({ reason: '本人申请删除' }),
    inside: ADMIN_ONLY(200),
  },
  {
    endpoint: 'GET /admin/dead-letters/{service}',
    send: (h) => h.get('/api/v1/admin/dead-letters/supervision'),
    inside: ADMIN_ONLY(200),
  },
  {
    endpoint: 'GET /admin/dead-letters/{service}/cases/{id}',
    send: (h, t) => h.get(`/api/v1/admin/dead-letters/audit/cases/${t.caseId}`),
    inside: ADMIN_ONLY(200),
  },
  {
    endpoint: 'POST /admin/dead-letters/{service}/cases/{id}/replay',
    send: (h, t) => h.post(`/api/v1/admin/dead-letters/intake/cases/${t.caseId}/replay`).send({}),
    inside: ADMIN_ONLY(200),
  },
];

describe('the role and jurisdiction table', () => {
  let casegrid: TestCasegrid;
  let inside: Target;
  let outside: Target;
  const seed = readSeed();
  const department = (name: string): string => {
    const found = seed.departments.find((d) => d.name === name);
    if (!found) throw new Error(`no seeded department ${name}`);
    return found.id;
  };

  const as = async (username: string): Promise<request.Agent> =>
    request.agent(casegrid.url).auth(await casegrid.token(username), { type: 'bearer' });

  const makeTarget = async (
    users: { clerk: Agent; dispatcher: Agent; handler: Agent },
    regionCode: string,
    lead: string,
    co: string[],
    otherDepartmentId: string,
  ): Promise<Target> => {
    const register = async (): Promise<string> =>
      (
        (await users.clerk.post('/api/v1/cases').send(caseBody(regionCode)).expect(201)).body as {
          id: string;
        }
      ).id;
    const freshDispatched = async (): Promise<string> => {
      const id = await register();
      await users.dispatcher
        .post(`/api/v1/cases/${id}/dispatch`)
        .send({ leadDepartmentId: lead, coDepartmentIds: co })
        .expect(200);
      return id;
    };
    /** The case as the clerk of its territory reads it in the ledger, once `until` holds. */
    const ledger = async (id: string, until: (view: Record<string, unknown>) => boolean) => {
      for (let tries = 0; tries < 300; tries += 1) {
        const response = await users.clerk.get(`/api/v1/cases/${id}`);
        if (response.status === 200 && until(response.body as Record<string, unknown>)) return id;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`case ${id} did not reach the ledger's expected state`);
    };
    const freshAccepted = async (): Promise<string> => {
      const id = await freshDispatched();
      await users.handler.post(`/api/v1/cases/${id}/accept`).send({ track: 'direct' }).expect(200);
      return id;
    };
    return {
      caseId: await freshDispatched(),
      regionCode,
      leadDepartmentId: lead,
      otherDepartmentId,
      freshCase: register,
      freshDispatched,
      freshAccepted,
      freshResolved: async () => {
        const id = await freshAccepted();
        await users.handler
          .post(`/api/v1/cases/${id}/resolve`)
          .send({ outcome: 'resolved', summary: '已办结' })
          .expect(200);
        return ledger(id, (view) => view['status'] === 'resolved');
      },
      freshAcceptClock: async () => {
        const id = await freshDispatched();
        let clockId = '';
        await ledger(id, (view) => {
          const clocks = view['deadlines'] as {
            clockId: string;
            obligation: string;
            departmentId: string;
          }[];
          clockId =
            clocks.find((c) => c.obligation === 'accept' && c.departmentId === lead)?.clockId ?? '';
          return clockId !== '';
        });
        return `${id}/deadlines/${clockId}`;
      },
      freshPerson: async () => {
        const parties = await users.clerk
          .get(`/api/v1/cases/${await register()}/parties`)
          .expect(200);
        return (parties.body as { parties: { personId: string }[] }).parties[0]!.personId;
      },
    };
  };

  beforeAll(async () => {
    casegrid = await startTestCasegrid('access_table');
    inside = await makeTarget(
      {
        clerk: await as('clerk.jiefang'),
        dispatcher: await as('dispatcher.jiefang'),
        handler: await as('handler.jiefang.sfs'),
      },
      '370102001001',
      department('解放路街道司法所'),
      [department('解放路街道人民调解委员会'), department('历下区信访局')],
      department('解放路街道派出所'),
    );
    // Another city, outside every seeded user's jurisdiction, built through the admin API.
    const admin = await as('admin');
    for (const [code, name] of [
      ['370200000000', '青岛市'],
      ['370202000000', '市南区'],
      ['370202001000', '八大峡街道'],
      ['370202001001', '团岛社区'],
    ]) {
      await admin.post('/api/v1/regions').send({ code, name }).expect(201);
    }
    const addDepartment = async (name: string, type: string): Promise<string> =>
      (
        (
          await admin
            .post('/api/v1/departments')
            .send({ name, type, regionCode: '370202001000' })
            .expect(201)
        ).body as { id: string }
      ).id;
    const centre = await addDepartment('八大峡街道综治中心', 'governance_center');
    const office = await addDepartment('八大峡街道司法所', 'judicial_office');
    const police = await addDepartment('八大峡派出所', 'police_station');
    const addUser = async (
      username: string,
      departmentId: string,
      roles: string[],
    ): Promise<Agent> => {
      await admin
        .post('/api/v1/users')
        .send({ username, name: '外市用户', departmentId, roles, password: 'a-long-test-password' })
        .expect(201);
      return request
        .agent(casegrid.url)
        .auth(await casegrid.token(username, 'a-long-test-password'), { type: 'bearer' });
    };
    const outsideClerk = await addUser('clerk.badaxia', centre, ['intake_clerk', 'dispatcher']);
    const outsideHandler = await addUser('handler.badaxia', office, ['handler']);
    outside = await makeTarget(
      { clerk: outsideClerk, dispatcher: outsideClerk, handler: outsideHandler },
      '370202001001',
      office,
      [],
      police,
    );
  });
  afterAll(async () => {
    await casegrid?.stop();
  });

  let n = 0;
  describe.each(ROWS.map((row) => [row.endpoint, row] as const))('%s', (_endpoint, row) => {
    const held = heldUntilWritten(row.endpoint, holding);
    const statusOf = async (agent: request.Agent, target: Target): Promise<number> => {
      const { status } = await row.send(agent, await held.subject(target), (n += 1));
      held.answered(target, status);
      return status;
    };

    it.each(ROLES.map((role) => [role] as const))('as %s', async (role) => {
      const agent = await as(USER[role]);
      const got = {
        inside: await statusOf(agent, inside),
        outside: await statusOf(agent, outside),
      };
      expect(got).toEqual({ inside: row.inside[role], outside: (row.outside ?? row.inside)[role] });
    });

    it('without a token is 401', async () => {
      const response = await row.send(request.agent(casegrid.url), inside, (n += 1));
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    });
  });

  it('keeps operations and sign-in open', async () => {
    await request(casegrid.url).get('/health/live').expect(200);
    await request(casegrid.url).get('/metrics').expect(200);
    await request(casegrid.url).get('/api/v1/auth/jwks').expect(200);
    await request(casegrid.url)
      .post('/api/v1/auth/login')
      .send({ username: 'admin', password: 'wrong' })
      .expect(401);
  });
});
