import request from 'supertest';
import { DEFAULT_DEADLINE_POLICIES } from '@casegrid/deadlines';
import { startTestCasegrid, type TestCasegrid } from './testing/test-casegrid';

/** Issue 4: deadline policies as reference data — seeded with the statutes, versioned on change. */
describe('deadline policies', () => {
  let casegrid: TestCasegrid;
  beforeAll(async () => {
    casegrid = await startTestCasegrid('deadline_policies');
  });
  afterAll(async () => {
    await casegrid?.stop();
  });
  const as = async (username: string) =>
    request.agent(casegrid.url).auth(await casegrid.token(username), { type: 'bearer' });
  const current = async () =>
    (
      (await (await as('supervisor.lixia')).get('/api/v1/deadline-policies').expect(200)).body as {
        items: { code: string; version: number; period: { length: number } }[];
      }
    ).items;

  it('are seeded with the statutory defaults, each at version 1', async () => {
    const items = await current();
    expect(items.map((p) => p.code).sort()).toEqual(
      DEFAULT_DEADLINE_POLICIES.map((p) => p.code).sort(),
    );
    expect(items.find((p) => p.code === 'petition_opinion')).toMatchObject({
      version: 1,
      period: { length: 60, unit: 'calendar_days' },
      article: '信访工作条例 第三十四条',
    });
  });

  it('change by adding a version, and an unchanged policy keeps its version', async () => {
    const admin = await as('admin');
    const minor = DEFAULT_DEADLINE_POLICIES.find((p) => p.code === 'resolve.minor')!;
    const changed = { ...minor, period: { length: 7, unit: 'working_days' } };
    const response = await admin
      .put('/api/v1/deadline-policies')
      .send({ items: [changed] })
      .expect(200);
    expect((response.body as { changed: string[] }).changed).toEqual(['resolve.minor']);
    const again = await admin
      .put('/api/v1/deadline-policies')
      .send({ items: [changed] })
      .expect(200);
    expect((again.body as { changed: string[] }).changed).toEqual([]);
    expect((await current()).find((p) => p.code === 'resolve.minor')).toMatchObject({
      version: 2,
      period: { length: 7 },
    });
  });

  it('refuse bad policies listing every field, and change nothing', async () => {
    const before = await current();
    const good = DEFAULT_DEADLINE_POLICIES[0]!;
    const response = await (
      await as('admin')
    )
      .put('/api/v1/deadline-policies')
      .send({
        items: [
          { ...good, period: { length: 2, unit: 'moons' }, stopOn: [] },
          { ...good, surprise: true },
        ],
      })
      .expect(400);
    expect(
      (response.body as { errors: { field: string }[] }).errors.map((e) => e.field).sort(),
    ).toEqual(
      ['items[0].period.unit', 'items[0].stopOn', 'items[1].surprise', 'items[1].code'].sort(),
    );
    await (
      await as('admin')
    )
      .put('/api/v1/deadline-policies')
      .send({ items: 'all of them' })
      .expect(400);
    expect(await current()).toEqual(before);
  });

  it('are changed by admins only', async () => {
    await (
      await as('supervisor.lixia')
    )
      .put('/api/v1/deadline-policies')
      .send({ items: [DEFAULT_DEADLINE_POLICIES[0]] })
      .expect(403);
    await request(casegrid.url).get('/api/v1/deadline-policies').expect(401);
  });
});
