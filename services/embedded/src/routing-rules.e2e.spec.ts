import request from 'supertest';
import { DEPARTMENT_TYPES } from '@casegrid/identity';
import { findTies, type RoutingRule } from '@casegrid/intake';
import type { ServiceRuntime } from '@casegrid/runtime';
import { serviceRuntime } from '@casegrid/runtime';
import { readSeed } from '@casegrid/service-intake';
import { startTestCasegrid, type TestCasegrid } from './testing/test-casegrid';

/**
 * The routing table over HTTP (API.md, Reference data): everyone signed in reads it, admins
 * add and replace rules; every bad field is listed in one 400, a rule covering exactly the
 * cases of another is a 409 naming it, and nothing is written on any error.
 */
type Rule = RoutingRule & { note: string | null; version: number };
type Problem = { status: number; detail: string; errors?: { field: string }[] };

const rule = (overrides: Record<string, unknown> = {}) => ({
  category: 'fire',
  regionCode: '370103001000',
  kind: null,
  severity: null,
  leadDepartmentType: 'governance_center',
  coDepartmentTypes: ['judicial_office'],
  tier: 'township',
  note: '大观园街道：消防纠纷由街道综治中心牵头',
  ...overrides,
});

describe('routing rules over HTTP', () => {
  let casegrid: TestCasegrid;
  const seed = readSeed();
  const as = async (username: string) =>
    request.agent(casegrid.url).auth(await casegrid.token(username), { type: 'bearer' });
  /** The table as stored, to prove that a refused request wrote nothing. */
  const table = async (): Promise<Record<string, unknown>[]> => {
    const intake = casegrid.app.get<ServiceRuntime>(serviceRuntime('intake'));
    const { rows } = await intake.db.pool.query<Record<string, unknown>>(
      'select * from intake.routing_rules order by id',
    );
    return rows;
  };
  const all = async (): Promise<Rule[]> => {
    const admin = await as('admin');
    const items: Rule[] = [];
    for (let cursor: string | null = ''; cursor !== null;) {
      const page: request.Response = await admin
        .get('/api/v1/routing-rules')
        .query(cursor ? { limit: 5, cursor } : { limit: 5 })
        .expect(200);
      const body = page.body as { items: Rule[]; nextCursor: string | null };
      items.push(...body.items);
      cursor = body.nextCursor;
    }
    return items;
  };

  beforeAll(async () => {
    casegrid = await startTestCasegrid('routing_rules');
  });
  afterAll(async () => {
    await casegrid?.stop();
  });

  it('seeds the demo routing table, without ties, readable by every signed-in user', async () => {
    expect(findTies(seed.routingRules)).toEqual([]);
    const response = await (await as('clerk.jiefang')).get('/api/v1/routing-rules').expect(200);
    const body = response.body as { items: Rule[]; nextCursor: string | null };
    expect(body.nextCursor).toBeNull();
    expect(body.items).toEqual(seed.routingRules.map((r) => ({ note: null, ...r, version: 1 })));
    const medical = seed.routingRules.find((r) => r.category === 'medical')!;
    await (
      await as('grid.shanda')
    )
      .get(`/api/v1/routing-rules/${medical.id}`)
      .expect(200)
      .expect((r) =>
        expect(r.body).toMatchObject({ leadDepartmentType: 'medical_mediation_committee' }),
      );
    await request(casegrid.url).get('/api/v1/routing-rules').expect(401);
  });

  it('documents the endpoints in the OpenAPI document', async () => {
    const document = await request(casegrid.url).get('/api/openapi.json').expect(200);
    const paths = document.body.paths as Record<string, Record<string, unknown>>;
    const path = Object.keys(paths).find((p) => p.endsWith('/routing-rules'))!;
    expect(Object.keys(paths[path]!).sort()).toEqual(['get', 'post']);
    expect(Object.keys(paths[`${path}/{id}`]!).sort()).toEqual(['get', 'put']);
  });

  it('pages with a cursor, every rule once', async () => {
    const items = await all();
    expect(new Set(items.map((r) => r.id)).size).toBe(items.length);
    expect(items.length).toBeGreaterThanOrEqual(seed.routingRules.length);
    await (
      await as('admin')
    )
      .get('/api/v1/routing-rules')
      .query({ cursor: 'bm90LWEtdXVpZA' })
      .expect(400);
  });

  it('lets an admin add a rule and replace it, each save one version further', async () => {
    const admin = await as('admin');
    const created = await admin.post('/api/v1/routing-rules').send(rule()).expect(201);
    const added = created.body as Rule;
    expect(added).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/) as string,
      ...rule(),
      version: 1,
    });

    const replaced = await admin
      .put(`/api/v1/routing-rules/${added.id}`)
      .send(rule({ coDepartmentTypes: [], note: undefined }))
      .expect(200);
    expect(replaced.body).toEqual({
      ...rule({ id: added.id, coDepartmentTypes: [], note: null }),
      version: 2,
    });

    await admin
      .put(`/api/v1/routing-rules/${added.id}`)
      .set('If-Match', '"2"')
      .send(rule({ severity: 'major' }))
      .expect(200)
      .expect((r) => expect(r.body).toMatchObject({ severity: 'major', version: 3 }));
    const before = await table();
    const stale = await admin
      .put(`/api/v1/routing-rules/${added.id}`)
      .set('If-Match', '2')
      .send(rule({ severity: 'complex' }))
      .expect(412);
    expect(stale.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await table()).toEqual(before);
    await admin
      .put(`/api/v1/routing-rules/${added.id}`)
      .set('If-Match', 'soon')
      .send(rule())
      .expect(400)
      .expect((r) =>
        expect((r.body as Problem).errors).toEqual([
          expect.objectContaining({ field: 'If-Match' }),
        ]),
      );
    const stored = await admin.get(`/api/v1/routing-rules/${added.id}`).expect(200);
    expect(stored.body).toMatchObject({ severity: 'major', version: 3 });
  });

  it('answers a retried POST with the same Idempotency-Key with the first rule', async () => {
    const admin = await as('admin');
    const body = rule({ category: 'business', note: null });
    const first = await admin
      .post('/api/v1/routing-rules')
      .set('Idempotency-Key', 'rule-business-0001')
      .send(body)
      .expect(201);
    const before = await table();
    const retry = await admin
      .post('/api/v1/routing-rules')
      .set('Idempotency-Key', 'rule-business-0001')
      .send(body)
      .expect(201);
    expect(retry.body).toEqual(first.body);
    expect(await table()).toEqual(before);
  });

  describe('ties', () => {
    const medical = () => seed.routingRules.find((r) => r.category === 'medical')!;

    it('refuses a new rule covering exactly the cases of another, naming it, and writes nothing', async () => {
      const before = await table();
      const response = await (
        await as('admin')
      )
        .post('/api/v1/routing-rules')
        .send({ category: 'medical', leadDepartmentType: 'health', tier: 'county' })
        .expect(409);
      const problem = response.body as Problem;
      expect(problem.status).toBe(409);
      expect(problem.detail).toContain(medical().id);
      expect(problem.detail).toContain('covers exactly the same cases');
      expect(await table()).toEqual(before);
    });

    it('refuses an edit that makes a rule tie, and accepts one that keeps its own criteria', async () => {
      const admin = await as('admin');
      const created = await admin
        .post('/api/v1/routing-rules')
        .send(rule({ category: 'damages', regionCode: null, coDepartmentTypes: [] }))
        .expect(201);
      const id = (created.body as Rule).id;
      const before = await table();
      const response = await admin
        .put(`/api/v1/routing-rules/${id}`)
        .send(rule({ category: 'medical', regionCode: null, tier: 'city' }))
        .expect(409);
      expect((response.body as Problem).detail).toContain(medical().id);
      expect(await table()).toEqual(before);
      await admin
        .put(`/api/v1/routing-rules/${id}`)
        .send(rule({ category: 'damages', regionCode: null, tier: 'county' }))
        .expect(200);
    });

    it('lets only one of several admins saving tying rules at once succeed', async () => {
      const admin = await as('admin');
      // Rounds of concurrent saves, each round's rules tying with one another only.
      const rounds = seed.regions.filter((r) => /^\d{9}(?!000)\d{3}$/.test(r.code));
      for (const { code } of rounds) {
        const responses = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            admin.post('/api/v1/routing-rules').send(
              rule({
                category: 'village_affairs',
                regionCode: code,
                tier: 'village',
                leadDepartmentType: 'village_committee',
                coDepartmentTypes: [],
                note: `管理员${i}`,
              }),
            ),
          ),
        );
        expect(responses.map((r) => r.status).sort()).toEqual([201, ...Array(7).fill(409)]);
      }
      expect(findTies(await all())).toEqual([]);
    });
  });

  describe('bad input', () => {
    it.each([
      ['an empty body', {}, ['leadDepartmentType']],
      [
        'unknown enum values',
        {
          category: 'alien_abduction',
          kind: 'complaint',
          severity: 'huge',
          leadDepartmentType: 'ministry_of_magic',
          tier: 'province',
        },
        ['category', 'kind', 'severity', 'leadDepartmentType', 'tier'],
      ],
      ['a malformed region code', { regionCode: '3701' }, ['regionCode']],
      ['co-handlers that are not a list', { coDepartmentTypes: 'health' }, ['coDepartmentTypes']],
      [
        'an unknown co-handler type',
        { coDepartmentTypes: ['health', 'wizards'] },
        ['coDepartmentTypes'],
      ],
      ['a repeated co-handler', { coDepartmentTypes: ['health', 'health'] }, ['coDepartmentTypes']],
      [
        'the lead as its own co-handler',
        { coDepartmentTypes: ['governance_center'] },
        ['coDepartmentTypes'],
      ],
      [
        'eleven co-handlers',
        {
          coDepartmentTypes: DEPARTMENT_TYPES.filter((t) => t !== 'governance_center').slice(0, 11),
        },
        ['coDepartmentTypes'],
      ],
      ['an overlong note', { note: '注'.repeat(501) }, ['note']],
      ['wrong types', { category: 7, note: 42, tier: true }, ['category', 'note', 'tier']],
      [
        'an unknown field',
        { priority: 'high', id: '0193a000-0000-7000-8000-000000001001' },
        ['priority', 'id'],
      ],
    ])('refuses %s, listing every field, and writes nothing', async (_what, overrides, fields) => {
      const admin = await as('admin');
      const payload = Object.keys(overrides).length === 0 ? {} : rule(overrides);
      const existing = seed.routingRules[0]!.id;
      const before = await table();
      for (const send of [
        () => admin.post('/api/v1/routing-rules').send(payload),
        () => admin.put(`/api/v1/routing-rules/${existing}`).send(payload),
      ]) {
        const response = await send().expect(400);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
        const reported = (response.body as Problem).errors!.map((e) => e.field);
        expect([...new Set(reported)].sort()).toEqual([...fields].sort());
      }
      expect(await table()).toEqual(before);
    });

    it('refuses a well-formed region that does not exist', async () => {
      const before = await table();
      const response = await (
        await as('admin')
      )
        .post('/api/v1/routing-rules')
        .send(rule({ regionCode: '370102001099' }))
        .expect(400);
      expect((response.body as Problem).errors).toEqual([
        { field: 'regionCode', message: 'no such region' },
      ]);
      expect(await table()).toEqual(before);
    });
  });

  describe('access', () => {
    const existing = () => seed.routingRules[0]!.id;

    it.each(['clerk.jiefang', 'dispatcher.jiefang', 'supervisor.jinan', 'inspector.jinan'])(
      'refuses %s a POST or a PUT (403) and writes nothing',
      async (username) => {
        const user = await as(username);
        const before = await table();
        await user
          .post('/api/v1/routing-rules')
          .send(rule({ category: 'other' }))
          .expect(403);
        await user.put(`/api/v1/routing-rules/${existing()}`).send(rule()).expect(403);
        await user.get('/api/v1/routing-rules').expect(200);
        expect(await table()).toEqual(before);
      },
    );

    it('answers 404 for an unknown rule and 400 for a malformed id', async () => {
      const admin = await as('admin');
      const unknown = '0193a000-0000-7000-8000-00000000ffff';
      await admin.put(`/api/v1/routing-rules/${unknown}`).send(rule()).expect(404);
      await admin.get(`/api/v1/routing-rules/${unknown}`).expect(404);
      await admin.put('/api/v1/routing-rules/not-a-uuid').send(rule()).expect(400);
    });
  });
});
