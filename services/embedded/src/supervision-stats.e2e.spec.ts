import request from 'supertest';
import { serviceRuntime, type ServiceRuntime } from '@casegrid/runtime';
import { backfillStatsColumns } from '@casegrid/service-supervision';
import { startTestCasegrid, freshIdNumber, type TestCasegrid } from './testing/test-casegrid';
import { DEPARTMENTS, SupervisionDriver } from './testing/supervision-scenarios';

interface StatsLine {
  group: Record<string, string | null>;
  [field: string]: unknown;
}
interface Stats {
  groupBy: string;
  period: { from: string; to: string };
  items: StatsLine[];
  total: Record<string, unknown>;
  definitions: Record<string, unknown>;
}

const NOVEMBER = 'from=2025-11-01T00:00:00%2B08:00&to=2025-12-01T00:00:00%2B08:00';
const LIXIA_LABOUR_NAME = '历下区人力资源和社会保障局（劳动监察大队）';

/**
 * `GET /stats` over HTTP (issue 5, item 6): a handful of cases driven to known outcomes in
 * November 2025 — resolved and satisfied then closed, basically satisfied after a late
 * acceptance, unsatisfied and reopened, a repeat submission, one left to breach — and one
 * in December; exact counts and rates per group, the period rule, the default period in
 * China time, and the jurisdiction in the query.
 */
describe('supervision statistics', () => {
  let casegrid: TestCasegrid;
  let drive: SupervisionDriver;
  const stats = async (username: string, query: string): Promise<Stats> =>
    (await (await drive.as(username)).get(`/api/v1/stats?${query}`).expect(200)).body as Stats;
  const line = (body: Stats, key: string, value: string | null): StatsLine => {
    const found = body.items.find((i) => i.group[key] === value);
    if (!found) throw new Error(`no group ${key}=${String(value)} in ${JSON.stringify(body)}`);
    return found;
  };

  const handle = async (caseId: string, outcome: boolean) => {
    const handler = await drive.as('handler.lixia.hrss');
    await drive.ledger(caseId, (v) => v.status === 'dispatched', 'dispatch');
    await handler.post(`/api/v1/cases/${caseId}/accept`).send({ track: 'direct' }).expect(200);
    // Seen before time moves on: supervision judges a clock met by the event's time, but one
    // the scheduler breached first stays late.
    await drive.ledger(caseId, (v) => v.status === 'accepted', 'the acceptance');
    if (!outcome) return;
    await handler
      .post(`/api/v1/cases/${caseId}/resolve`)
      .send({ outcome: 'resolved', summary: '责令用人单位足额支付工资' })
      .expect(200);
    await drive.ledger(caseId, (v) => v.status === 'resolved', 'the outcome');
  };
  const visit = async (caseId: string, satisfaction: string) => {
    await (
      await drive.as('supervisor.lixia')
    )
      .post(`/api/v1/cases/${caseId}/follow-ups`)
      .send({ method: 'phone', satisfaction, notes: '电话回访' })
      .expect(200);
  };

  beforeAll(async () => {
    casegrid = await startTestCasegrid('supervision_stats', { SUPERVISION_POLL_MS: '50' });
    drive = new SupervisionDriver(casegrid);

    // Monday 2025-11-03: the accept clocks end at 24:00 on Tuesday 11-04.
    drive.travelTo('2025-11-03T09:00:00+08:00');
    const wage = { category: 'labor_wage', title: '拖欠工资' };
    const satisfied = await drive.register(wage);
    const late = await drive.register(wage);
    const unsatisfied = await drive.register(wage);
    const idNumber = freshIdNumber();
    const repeatOf = { ...wage, parties: [{ role: 'applicant', name: '周八', idNumber }] };
    const repeated = await drive.register(repeatOf);
    const again = await (
      await drive.as('clerk.jiefang')
    )
      .post('/api/v1/cases')
      .send({
        kind: 'dispute',
        channel: 'hotline',
        description: '再次来电反映',
        regionCode: '370102001001',
        ...repeatOf,
      })
      .expect(200);
    expect(again.body).toMatchObject({ id: repeated, submissionCount: 2 });
    const breaching = await drive.register(); // a neighbours' dispute for 山大路 committee

    await handle(satisfied, true);
    await visit(satisfied, 'satisfied');
    await (
      await drive.as('supervisor.lixia')
    )
      .post(`/api/v1/cases/${satisfied}/close`)
      .send({ note: '经回访满意，予以销号' })
      .expect(200);
    await handle(unsatisfied, true);
    await visit(unsatisfied, 'unsatisfied');
    await handle(repeated, false);

    // Wednesday 11-05: the late one's and the neighbours' accept clocks are breached.
    drive.travelTo('2025-11-05T09:00:00+08:00');
    for (const id of [late, breaching]) {
      await drive.ledger(id, (v) => v.light === 'red', 'the accept breach');
    }
    await handle(late, true);
    await visit(late, 'basically_satisfied');
    await drive.ledger(unsatisfied, (v) => v.status === 'in_progress', 'the reopen');

    // 00:30 on 12-01 in China is still November in UTC: it counts in December.
    drive.travelTo('2025-12-01T00:30:00+08:00');
    const december = await drive.register(wage);
    await drive.ledger(december, (v) => v.status === 'dispatched', 'the December case');
    // By now the reopened case's new resolve clock and the repeat's resolve clock (due
    // 11-10) are breached too: a period's figures are its cases as they stand now.
    for (const id of [unsatisfied, repeated]) {
      await drive.ledger(id, (v) => v.light === 'red', 'the resolve breach');
    }
  }, 180_000);
  afterAll(async () => {
    await casegrid?.stop();
  });

  it('counts and rates each lead department', async () => {
    const body = await stats('supervisor.lixia', `${NOVEMBER}&groupBy=department`);
    expect(body.period).toEqual({
      from: '2025-10-31T16:00:00.000Z',
      to: '2025-11-30T16:00:00.000Z',
    });
    expect(body.items.map((i) => i.group.departmentId)).toEqual(
      [DEPARTMENTS.lixiaLabour, DEPARTMENTS.shandaMediation].sort(),
    );
    expect(line(body, 'departmentId', DEPARTMENTS.lixiaLabour)).toMatchObject({
      group: { departmentId: DEPARTMENTS.lixiaLabour, name: LIXIA_LABOUR_NAME },
      registered: 4,
      dispatched: 4,
      accepted: 4,
      resolved: 2, // the reopened one stands at no outcome
      referred: 0,
      terminated: 0,
      closed: 1,
      reopened: 1,
      overdue: 3, // accepted late; the reopened one and the repeat past their resolve clocks
      followedUp: 3,
      responded: 2,
      solved: 2,
      satisfied: 1,
      basicallySatisfied: 1,
      unsatisfied: 1,
      repeated: 1,
      responseRate: 0.6667,
      resolutionRate: 0.6667,
      satisfactionRate: 0.6333, // (1 + 0.9 × 1) ÷ 3
      compositeScore: 0.6533, // 0.1 × 2/3 + 0.5 × 2/3 + 0.4 × 1.9/3
      repeatRate: 0.25,
    });
    expect(line(body, 'departmentId', DEPARTMENTS.shandaMediation)).toMatchObject({
      group: { name: '山大路社区人民调解委员会' },
      registered: 1,
      dispatched: 1,
      accepted: 0,
      resolved: 0,
      overdue: 1,
      followedUp: 0,
      responseRate: null,
      resolutionRate: null,
      satisfactionRate: null,
      compositeScore: null,
      repeatRate: 0,
    });
    expect(body.total).toMatchObject({ registered: 5, overdue: 4, followedUp: 3, repeated: 1 });
    expect(body.definitions).toMatchObject({
      weights: { response: 0.1, resolution: 0.5, satisfaction: 0.4 },
      basicSatisfaction: 0.9,
    });
  });

  it('rates clocks on time over the clocks that ended', async () => {
    const body = await stats('supervisor.lixia', `${NOVEMBER}&groupBy=department`);
    const labour = line(body, 'departmentId', DEPARTMENTS.lixiaLabour);
    const shanda = line(body, 'departmentId', DEPARTMENTS.shandaMediation);
    // The neighbours' case: the lead's and the co-handler's accept clocks, both breached.
    expect(shanda).toMatchObject({ clocksEnded: 2, clocksMetOnTime: 0, onTimeRate: 0 });
    // Satisfied: accept, resolve, follow-up, all on time (3 of 3). Late: accept met late,
    // resolve and follow-up on time (2 of 3). Reopened: accept, resolve, follow-up on time,
    // the second resolve breached (3 of 4). Repeat: accept on time, resolve breached (1 of 2).
    expect(labour).toMatchObject({ clocksEnded: 12, clocksMetOnTime: 9, onTimeRate: 0.75 });
  });

  it('groups by category, by county and one tier below a region, and by China-time month', async () => {
    const byCategory = await stats('supervisor.lixia', `${NOVEMBER}&groupBy=category`);
    expect(byCategory.items.map((i) => [i.group.category, i.group.name, i.registered])).toEqual([
      ['labor_wage', '劳动争议（含欠薪）', 4],
      ['neighbor', '邻里纠纷', 1],
    ]);
    const byCounty = await stats('supervisor.jinan', `${NOVEMBER}&groupBy=region`);
    expect(byCounty.items.map((i) => [i.group.regionCode, i.group.name, i.registered])).toEqual([
      ['370102000000', '历下区', 5],
    ]);
    const byTownship = await stats(
      'supervisor.lixia',
      `${NOVEMBER}&groupBy=region&regionCode=370102001000`,
    );
    expect(byTownship.items.map((i) => [i.group.regionCode, i.group.name])).toEqual([
      ['370102001001', '山大路社区'],
    ]);
    const byMonth = await stats(
      'supervisor.lixia',
      'from=2025-11-01T00:00:00%2B08:00&to=2026-01-01T00:00:00%2B08:00&groupBy=month',
    );
    expect(byMonth.items.map((i) => [i.group.month, i.registered])).toEqual([
      ['2025-11', 5],
      ['2025-12', 1],
    ]);
  });

  it('defaults to the current month in China time', async () => {
    const body = await stats('supervisor.lixia', 'groupBy=month');
    expect(body.period).toEqual({
      from: '2025-11-30T16:00:00.000Z',
      to: '2025-12-31T16:00:00.000Z',
    });
    expect(body.items.map((i) => [i.group.month, i.registered])).toEqual([['2025-12', 1]]);
  });

  it('counts only the caller’s jurisdiction, in the query', async () => {
    const other = await stats('supervisor.shizhong', `${NOVEMBER}&groupBy=department`);
    expect(other.items).toEqual([]);
    expect(other.total).toMatchObject({
      registered: 0,
      overdue: 0,
      onTimeRate: null,
      responseRate: null,
      compositeScore: null,
      repeatRate: null,
    });
    const outside = await stats('supervisor.shizhong', `${NOVEMBER}&regionCode=370102000000`);
    expect(outside.items).toEqual([]);
    // A handler sees their department's cases only.
    const handler = await stats('handler.lixia.hrss', `${NOVEMBER}&groupBy=department`);
    expect(handler.items.map((i) => [i.group.departmentId, i.registered])).toEqual([
      [DEPARTMENTS.lixiaLabour, 4],
    ]);
    // An administrator sees no case content (separation of duties); no token, no answer.
    expect((await stats('admin', NOVEMBER)).items).toEqual([]);
    await request(casegrid.url).get(`/api/v1/stats?${NOVEMBER}`).expect(401);
    const city = await stats('supervisor.jinan', `${NOVEMBER}&groupBy=department`);
    expect(city.total).toEqual(
      (await stats('supervisor.lixia', `${NOVEMBER}&groupBy=department`)).total,
    );
  });

  it('refills the statistics columns from the ledger views (the migration’s backfill)', async () => {
    const query = `${NOVEMBER}&groupBy=category`;
    const before = await stats('supervisor.lixia', query);
    const { db } = casegrid.app.get<ServiceRuntime>(serviceRuntime('supervision'));
    await db.pool.query(
      `update supervision.ledger set dispatched = false, accepted = false, outcome_status = null,
         responded_on_time = false, follow_up_count = 0, follow_up_satisfaction = null,
         reopen_count = 0, submission_count = 1, clocks_ended = 0, clocks_met_on_time = 0,
         clocks_breached = 0`,
    );
    expect((await stats('supervisor.lixia', query)).total).toMatchObject({ accepted: 0 });
    await backfillStatsColumns(
      (sql, params) => db.pool.query<object>(sql, params).then((r) => r.rows),
      'supervision',
    );
    expect(await stats('supervisor.lixia', query)).toEqual(before);
  });

  it('refuses bad query parameters field by field', async () => {
    const supervisor = await drive.as('supervisor.lixia');
    const bad = await supervisor
      .get('/api/v1/stats?groupBy=week&from=yesterday&to=2025-13-01&regionCode=37&status=open')
      .expect(400);
    expect((bad.body as { errors: { field: string }[] }).errors.map((e) => e.field).sort()).toEqual(
      ['from', 'groupBy', 'regionCode', 'status', 'to'],
    );
    const backwards = await supervisor
      .get('/api/v1/stats?from=2025-12-01T00:00:00%2B08:00&to=2025-11-01T00:00:00%2B08:00')
      .expect(400);
    expect((backwards.body as { errors: unknown[] }).errors).toEqual([
      { field: 'to', message: 'must be after from' },
    ]);
    const notRegion = await supervisor.get('/api/v1/stats?regionCode=000000000000').expect(400);
    expect((notRegion.body as { errors: unknown[] }).errors).toEqual([
      { field: 'regionCode', message: 'is not a region code' },
    ]);
  });
});
