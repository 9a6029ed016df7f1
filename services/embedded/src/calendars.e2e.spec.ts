import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { runCasegrid, type RunningCasegrid } from '@casegrid/runtime';
import { DEMO_USER_PASSWORD } from '@casegrid/service-intake';
import { createTestDatabase, TEST_MASTER_KEY } from '@casegrid/testing';
import { ALL_SERVICES } from './all-services';
import { startTestCasegrid, type TestCasegrid } from './testing/test-casegrid';

/**
 * The holiday calendars over HTTP (API.md, Reference data; domain-rules §0, §5): everyone
 * signed in reads them, admins load and replace a year; the real 2024–2026 calendar is
 * seeded, a year not loaded is a 404 that says what the fallback is, every bad field is
 * listed in one 400, and nothing is written on any error.
 */
interface Calendar {
  year: number;
  holidays: string[];
  makeupWorkdays: string[];
  source: string | null;
  version: number;
}
type Problem = { status: number; detail: string; errors?: { field: string; message: string }[] };

const SEED_FILE = join(__dirname, '../../../libs/calendar/src/seed/cn-holidays-2024-2026.json');
const REFERENCE = JSON.parse(readFileSync(SEED_FILE, 'utf8')) as {
  year: number;
  holidays: string[];
  makeupWorkdays: string[];
}[];

/** A plausible 2027 (no notice yet): 元旦, 春节 with two make-up weekend days, 国庆. */
const calendar2027 = (overrides: Record<string, unknown> = {}) => ({
  holidays: ['2027-10-01', '2027-01-01', '2027-02-08', '2027-02-09', '2027-02-10'],
  makeupWorkdays: ['2027-02-20', '2027-02-06'],
  source: '国务院办公厅关于2027年部分节假日安排的通知（示例）',
  ...overrides,
});

describe('calendars over HTTP', () => {
  let casegrid: TestCasegrid;
  const as = async (username: string) =>
    request.agent(casegrid.url).auth(await casegrid.token(username), { type: 'bearer' });
  /** Every calendar as the API serves it, to prove that a refused request changed nothing. */
  const everything = async (): Promise<unknown[]> => {
    const admin = await as('admin');
    const list = await admin.get('/api/v1/calendars').expect(200);
    const years = (list.body as { items: { year: number }[] }).items.map((i) => i.year);
    const details: unknown[] = [];
    for (const year of years) {
      details.push((await admin.get(`/api/v1/calendars/${year}`).expect(200)).body);
    }
    return [list.body as unknown, ...details];
  };

  beforeAll(async () => {
    casegrid = await startTestCasegrid('calendars');
  });
  afterAll(async () => {
    await casegrid?.stop();
  });

  describe('the seeded calendar', () => {
    it('holds 2024–2026, listed for every signed-in user', async () => {
      const response = await (await as('clerk.jiefang')).get('/api/v1/calendars').expect(200);
      expect(response.body).toEqual({
        items: [
          { year: 2024, version: 1 },
          { year: 2025, version: 1 },
          { year: 2026, version: 1 },
        ],
        nextCursor: null,
      });
    });

    it.each([2024, 2025, 2026])('serves %i as the reference file has it', async (year) => {
      const reference = REFERENCE.find((r) => r.year === year)!;
      const response = await (
        await as('clerk.jiefang')
      )
        .get(`/api/v1/calendars/${year}`)
        .expect(200);
      expect(response.headers['etag']).toBe('"1"');
      expect(response.body).toEqual({
        year,
        holidays: [...reference.holidays].sort(),
        makeupWorkdays: [...reference.makeupWorkdays].sort(),
        source: expect.stringContaining('https://www.gov.cn/zhengce/zhengceku/') as string,
        version: 1,
      });
    });

    it('has 2026 with its 春节 make-up Saturdays and the 国庆 week', async () => {
      const response = await (await as('grid.shanda')).get('/api/v1/calendars/2026').expect(200);
      const body = response.body as Calendar;
      expect(body.makeupWorkdays).toEqual(expect.arrayContaining(['2026-02-14', '2026-02-28']));
      expect(body.holidays).toEqual(
        expect.arrayContaining([1, 2, 3, 4, 5, 6, 7].map((d) => `2026-10-0${d}`)),
      );
      expect(body.holidays).not.toContain('2026-10-08');
    });
  });

  it('answers a year not loaded with 404, saying what the deadlines fall back to', async () => {
    const response = await (await as('clerk.jiefang')).get('/api/v1/calendars/2027').expect(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = response.body as Problem;
    expect(problem.status).toBe(404);
    expect(problem.detail).toContain('No calendar is loaded for 2027');
    expect(problem.detail).toContain('falls back to weekends only');
    expect(problem.detail).toContain('an admin loads it (PUT /api/v1/calendars/2027)');
  });

  it('lets an admin load a year (201) and replace it (200), each save one version further', async () => {
    const admin = await as('admin');
    const created = await admin.put('/api/v1/calendars/2027').send(calendar2027()).expect(201);
    expect(created.headers['etag']).toBe('"1"');
    expect(created.body).toEqual({
      year: 2027,
      holidays: ['2027-01-01', '2027-02-08', '2027-02-09', '2027-02-10', '2027-10-01'],
      makeupWorkdays: ['2027-02-06', '2027-02-20'],
      source: calendar2027().source,
      version: 1,
    });
    await (await as('clerk.jiefang')).get('/api/v1/calendars/2027').expect(200, created.body);

    const replaced = await admin
      .put('/api/v1/calendars/2027')
      .send(calendar2027({ makeupWorkdays: ['2027-02-06'], source: undefined }))
      .expect(200);
    expect(replaced.body).toEqual({
      ...(created.body as Calendar),
      makeupWorkdays: ['2027-02-06'],
      source: null,
      version: 2,
    });

    await admin
      .put('/api/v1/calendars/2027')
      .set('If-Match', '"2"')
      .send(calendar2027())
      .expect(200)
      .expect((r) =>
        expect(r.body).toMatchObject({ version: 3, makeupWorkdays: ['2027-02-06', '2027-02-20'] }),
      );

    const before = await everything();
    const stale = await admin
      .put('/api/v1/calendars/2027')
      .set('If-Match', '2')
      .send(calendar2027({ holidays: [] }))
      .expect(412);
    expect(stale.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await everything()).toEqual(before);

    const list = await admin.get('/api/v1/calendars').expect(200);
    expect((list.body as { items: unknown[] }).items).toContainEqual({ year: 2027, version: 3 });
  });

  it('refuses If-Match on a year not loaded (412) and loads nothing', async () => {
    const admin = await as('admin');
    const before = await everything();
    const holidays = ['2029-01-01'];
    await admin
      .put('/api/v1/calendars/2029')
      .set('If-Match', '1')
      .send({ holidays, makeupWorkdays: [] })
      .expect(412);
    await admin.get('/api/v1/calendars/2029').expect(404);
    expect(await everything()).toEqual(before);
  });

  it('loads a new year once when two admins load it at once: one 201, then 200', async () => {
    const admin = await as('admin');
    const body = { holidays: ['2031-01-01'], makeupWorkdays: [] };
    const responses = await Promise.all(
      [1, 2, 3].map(() => admin.put('/api/v1/calendars/2031').send(body)),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 201]);
    expect(responses.map((r) => (r.body as Calendar).version).sort()).toEqual([1, 2, 3]);
  });

  it('documents the endpoints in the OpenAPI document', async () => {
    const document = await request(casegrid.url).get('/api/openapi.json').expect(200);
    const paths = document.body.paths as Record<string, Record<string, unknown>>;
    const path = Object.keys(paths).find((p) => p.endsWith('/calendars'))!;
    expect(Object.keys(paths[path]!).sort()).toEqual(['get']);
    expect(Object.keys(paths[`${path}/{year}`]!).sort()).toEqual(['get', 'put']);
  });

  describe('bad input', () => {
    const days = (year: number, n: number) =>
      Array.from({ length: n }, (_, i) =>
        new Date(Date.UTC(year, 0, 1 + i)).toISOString().slice(0, 10),
      );

    it.each([
      ['an empty body', '2026', {}, ['holidays', 'makeupWorkdays']],
      ['a list for a body', '2026', [], ['body']],
      [
        'lists that are not lists',
        '2026',
        { holidays: '2026-01-01', makeupWorkdays: { date: '2026-02-14' } },
        ['holidays', 'makeupWorkdays'],
      ],
      [
        'malformed dates',
        '2026',
        {
          holidays: ['2026-1-1', '20260101', 20260101, '2026-01-01T00:00:00+08:00'],
          makeupWorkdays: ['Saturday'],
        },
        ['holidays[0]', 'holidays[1]', 'holidays[2]', 'holidays[3]', 'makeupWorkdays[0]'],
      ],
      [
        'dates no calendar has',
        '2026',
        { holidays: ['2026-02-29', '2026-04-31', '2026-13-01'], makeupWorkdays: [] },
        ['holidays[0]', 'holidays[1]', 'holidays[2]'],
      ],
      [
        'dates of another year',
        '2026',
        { holidays: ['2025-12-31'], makeupWorkdays: ['2027-01-02'] },
        ['holidays[0]', 'makeupWorkdays[0]'],
      ],
      [
        'a date listed twice',
        '2026',
        { holidays: ['2026-01-01', '2026-01-01'], makeupWorkdays: ['2026-02-14', '2026-02-14'] },
        ['holidays[1]', 'makeupWorkdays[1]'],
      ],
      [
        'a day both a holiday and a make-up workday',
        '2026',
        { holidays: ['2026-02-14'], makeupWorkdays: ['2026-02-14'] },
        ['makeupWorkdays[0]'],
      ],
      [
        'a make-up workday on a weekday',
        '2026',
        { holidays: [], makeupWorkdays: ['2026-02-16'] },
        ['makeupWorkdays[0]'],
      ],
      [
        '61 holidays and 21 make-up days',
        '2026',
        { holidays: days(2026, 61), makeupWorkdays: days(2026, 21) },
        ['holidays', 'makeupWorkdays'],
      ],
      [
        'a source that is too long',
        '2026',
        { holidays: [], makeupWorkdays: [], source: '国'.repeat(201) },
        ['source'],
      ],
      [
        'a source that is not a string',
        '2026',
        { holidays: [], makeupWorkdays: [], source: { primary: 'gov.cn' } },
        ['source'],
      ],
      [
        'unknown properties',
        '2026',
        { holidays: [], makeupWorkdays: [], version: 7, holidayRanges: [] },
        ['version', 'holidayRanges'],
      ],
      ['a year before 2000', '1999', { holidays: [], makeupWorkdays: [] }, ['year']],
      ['a year after 2100', '2101', { holidays: [], makeupWorkdays: [] }, ['year']],
      ['a year that is not a number', '20x6', { holidays: [], makeupWorkdays: [] }, ['year']],
      ['a fractional year', '2026.5', { holidays: [], makeupWorkdays: [] }, ['year']],
      [
        'everything at once',
        'next',
        { holidays: ['soon', '2026-02-30'], makeupWorkdays: 3, source: 5, region: '370102' },
        ['year', 'region', 'holidays[0]', 'holidays[1]', 'makeupWorkdays', 'source'],
      ],
    ])(
      'refuses %s, listing every field, and changes nothing',
      async (_what, year, body, fields) => {
        const admin = await as('admin');
        const before = await everything();
        const response = await admin.put(`/api/v1/calendars/${year}`).send(body).expect(400);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
        const reported = (response.body as Problem).errors!.map((e) => e.field);
        expect([...new Set(reported)].sort()).toEqual([...fields].sort());
        expect(await everything()).toEqual(before);
      },
    );

    it('lists a bad If-Match with the body problems in the same 400', async () => {
      const before = await everything();
      const response = await (
        await as('admin')
      )
        .put('/api/v1/calendars/2026')
        .set('If-Match', 'soon')
        .send({ holidays: ['2026-02-30'], makeupWorkdays: [] })
        .expect(400);
      expect((response.body as Problem).errors!.map((e) => e.field).sort()).toEqual([
        'If-Match',
        'holidays[0]',
      ]);
      expect(await everything()).toEqual(before);
    });

    it('answers a read of a year outside 2000–2100 with 400, not 404', async () => {
      const clerk = await as('clerk.jiefang');
      for (const year of ['1999', '2101', 'latest']) {
        const response = await clerk.get(`/api/v1/calendars/${year}`).expect(400);
        expect((response.body as Problem).errors).toEqual([
          { field: 'year', message: 'must be a year from 2000 to 2100' },
        ]);
      }
    });
  });

  describe('access', () => {
    it.each(['clerk.jiefang', 'dispatcher.jiefang', 'supervisor.jinan', 'inspector.jinan'])(
      'refuses %s a PUT (403) and changes nothing, but lets them read',
      async (username) => {
        const user = await as(username);
        const before = await everything();
        await user
          .put('/api/v1/calendars/2026')
          .send({ holidays: [], makeupWorkdays: [] })
          .expect(403);
        await user
          .put('/api/v1/calendars/2032')
          .send({ holidays: [], makeupWorkdays: [] })
          .expect(403);
        await user.get('/api/v1/calendars').expect(200);
        await user.get('/api/v1/calendars/2026').expect(200);
        expect(await everything()).toEqual(before);
      },
    );

    it('answers every call without a token with 401 and changes nothing', async () => {
      const before = await everything();
      await request(casegrid.url).get('/api/v1/calendars').expect(401);
      await request(casegrid.url).get('/api/v1/calendars/2026').expect(401);
      await request(casegrid.url)
        .put('/api/v1/calendars/2026')
        .send({ holidays: [], makeupWorkdays: [] })
        .expect(401);
      await request(casegrid.url)
        .put('/api/v1/calendars/2026')
        .auth('not-a-token', { type: 'bearer' })
        .send({ holidays: [], makeupWorkdays: [] })
        .expect(401);
      expect(await everything()).toEqual(before);
    });
  });
});

describe('calendars on first start', () => {
  const boot = async (databaseUrl: string, dataDir: string): Promise<RunningCasegrid> =>
    runCasegrid(ALL_SERVICES, {
      CASEGRID_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
      DATABASE_URL: databaseUrl,
      CASEGRID_DATA_DIR: dataDir,
      CASEGRID_MASTER_KEY: TEST_MASTER_KEY,
    });
  const admin = async (instance: RunningCasegrid) => {
    const login = await request(instance.url)
      .post('/api/v1/auth/login')
      .send({ username: 'admin', password: DEMO_USER_PASSWORD })
      .expect(200);
    const token = (login.body as { accessToken: string }).accessToken;
    return request.agent(instance.url).auth(token, { type: 'bearer' });
  };

  it("are seeded once by instances starting together, and an admin's edit survives a restart", async () => {
    const db = await createTestDatabase('calendars_start');
    const dirs = await Promise.all([1, 2].map(() => mkdtemp(join(tmpdir(), 'casegrid-cal-'))));
    try {
      const instances = await Promise.all(dirs.map((dir) => boot(db.url, dir)));
      let edited: unknown;
      try {
        for (const instance of instances) {
          await (await admin(instance)).get('/api/v1/calendars').expect(200, {
            items: [
              { year: 2024, version: 1 },
              { year: 2025, version: 1 },
              { year: 2026, version: 1 },
            ],
            nextCursor: null,
          });
        }
        const reference = REFERENCE.find((r) => r.year === 2026)!;
        const put = await (
          await admin(instances[0]!)
        )
          .put('/api/v1/calendars/2026')
          .send({
            holidays: reference.holidays,
            makeupWorkdays: reference.makeupWorkdays.filter((d) => d !== '2026-10-10'),
            source: 'edited by an admin',
          })
          .expect(200);
        edited = put.body;
        expect(edited).toMatchObject({ version: 2, source: 'edited by an admin' });
      } finally {
        await Promise.all(instances.map((instance) => instance.app.close()));
      }

      const restarted = await boot(db.url, dirs[0]!);
      try {
        const http = await admin(restarted);
        await http.get('/api/v1/calendars/2026').expect(200, edited);
        const list = await http.get('/api/v1/calendars').expect(200);
        expect((list.body as { items: unknown[] }).items).toEqual([
          { year: 2024, version: 1 },
          { year: 2025, version: 1 },
          { year: 2026, version: 2 },
        ]);
      } finally {
        await restarted.app.close();
      }
    } finally {
      await db.drop();
      await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    }
  });
});
