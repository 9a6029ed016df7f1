import type { Pool } from 'pg';
import request from 'supertest';
import { DEFAULT_DEADLINE_POLICIES } from '@casegrid/deadlines';
import { inTransaction } from '@casegrid/event-store';
import { toCloudEvent } from '@casegrid/messaging';
import {
  INFRASTRUCTURE,
  referenceReader,
  serviceRuntime,
  type Infrastructure,
  type ReferenceReader,
  type ServiceRuntime,
} from '@casegrid/runtime';
import {
  ClockContextSource,
  DeadlineScheduler,
  LedgerStore,
  RescheduleJobs,
  RescheduleWorker,
} from '@casegrid/service-supervision';
import { waitUntil } from '@casegrid/testing';
import { acceptedPetition, petitionAt, PETITION_OFFICER } from './testing/petition-cases';
import { SupervisionDriver, type LedgerView } from './testing/supervision-scenarios';
import { startTestCasegrid, type TestCasegrid } from './testing/test-casegrid';

/**
 * Running clocks follow a calendar year loaded late and a policy applied to them (issue
 * 17), in December 2026 with no 2027 calendar yet: clocks that count into 2027 fall back to
 * weekends alone; the preview of loading a test 2027 names exactly those; loading it moves
 * exactly those, once, through a crash, and never a breached one; loading it again moves
 * nothing; a policy change moves running clocks only when the administrator asks.
 */

/** A test 2027 (no notice yet): New Year's Day and a Spring Festival block, one make-up Saturday. */
const CALENDAR_2027 = {
  holidays: [
    '2027-01-01',
    '2027-02-05',
    '2027-02-06',
    '2027-02-07',
    '2027-02-08',
    '2027-02-09',
    '2027-02-10',
    '2027-02-11',
  ],
  makeupWorkdays: ['2027-02-20'],
  source: '国务院办公厅关于2027年部分节假日安排的通知（测试用）',
};

interface Move {
  caseId: string;
  number: string;
  clockId: string;
  obligation: string;
  previousDueAt: string;
  dueAt: string;
  previousLight: string;
  light: string;
  calendarFallback: boolean;
  reason: { kind: string; year?: number; code?: string; version: number };
}
interface Page {
  items: Move[];
  nextCursor: string | null;
}
interface Rescheduled {
  caseId: string;
  clockId: string;
  previousDueAt: string;
  dueAt: string;
  reason: Move['reason'];
}

const resolveMinor = DEFAULT_DEADLINE_POLICIES.find((p) => p.code === 'resolve.minor')!;
const workingDays = (length: number) => ({ length, unit: 'working_days' as const });
const key = (m: { caseId: string; clockId: string }) => `${m.caseId}/${m.clockId}`;
const sorted = <T extends { caseId: string; clockId: string }>(moves: readonly T[]) =>
  [...moves].sort((a, b) => key(a).localeCompare(key(b)));
const clock = (view: LedgerView, obligation: string) =>
  view.deadlines.filter((d) => d.obligation === obligation);

describe('deadlines rescheduled when reference data changes', () => {
  let casegrid: TestCasegrid;
  let drive: SupervisionDriver;
  let pool: Pool;
  const jobs = new RescheduleJobs('supervision');
  /** The cases: a petition, and disputes accepted on 21, 28 and 31 December 2026. */
  const cases = {} as { petition: string; early: string; breached: string; late: string };

  const rescheduled = async (): Promise<Rescheduled[]> => {
    const { rows } = await pool.query<{ data: Rescheduled }>(
      `select data from supervision.events where event_type = 'DeadlineRescheduled'
       order by global_position`,
    );
    return rows.map(({ data }) => ({
      caseId: data.caseId,
      clockId: data.clockId,
      previousDueAt: data.previousDueAt,
      dueAt: data.dueAt,
      reason: data.reason,
    }));
  };
  const finished = (kind: 'calendar' | 'deadline_policy', of: string, version: number) =>
    waitUntil(async () => (await jobs.progress(pool, kind, of, version)) !== undefined, {
      what: `the reschedule of ${kind} ${of} v${version}`,
      timeoutMs: 30_000,
    });
  const view = (caseId: string) => drive.ledger(caseId, () => true, 'the case');
  const preview = async (path: string, body: object, query = ''): Promise<Page> =>
    (await (await drive.as('admin')).post(`/api/v1/${path}/preview${query}`).send(body).expect(200))
      .body as Page;
  /** Registered as 解放路's clerk, routed to the 山大路 committee and accepted by its mediator. */
  const acceptedDispute = async (): Promise<string> => {
    const caseId = await drive.register();
    await drive.ledger(caseId, (v) => v.deadlines.length >= 2, 'the accept clocks');
    await (
      await drive.as('mediator.shanda')
    )
      .post(`/api/v1/cases/${caseId}/accept`)
      .send({ track: 'mediation' })
      .expect(200);
    await drive.ledger(caseId, (v) => clock(v, 'resolve').length > 0, 'the resolve clocks');
    return caseId;
  };
  /** The running clocks of our cases that count on weekends alone. */
  const onFallback = async () => {
    const out: { caseId: string; clockId: string; dueAt: string }[] = [];
    for (const caseId of Object.values(cases)) {
      for (const d of (await view(caseId)).deadlines) {
        const basis = d.basis as { calendarFallback?: boolean };
        if (d.state === 'running' && basis.calendarFallback) out.push({ caseId, ...d });
      }
    }
    return out.map(({ caseId, clockId }) => ({ caseId, clockId }));
  };

  beforeAll(async () => {
    casegrid = await startTestCasegrid('deadline_reschedule', { SUPERVISION_POLL_MS: '50' });
    drive = new SupervisionDriver(casegrid);
    pool = casegrid.app.get<ServiceRuntime>(serviceRuntime('supervision')).db.pool;
  });
  afterAll(async () => {
    await casegrid?.stop();
  });

  describe('in December 2026, with no 2027 calendar', () => {
    beforeAll(async () => {
      // Tuesday 8 December: a petition accepted for handling, its opinion due in 60 days —
      // Saturday 6 February 2027, rolled to Monday the 8th on weekends alone.
      drive.travelTo('2026-12-08T10:00:00+08:00');
      cases.petition = await acceptedPetition(casegrid);
      await petitionAt(await drive.as(PETITION_OFFICER), cases.petition, 'accepted');
      await drive.ledger(
        cases.petition,
        (v) => clock(v, 'petition_opinion').length === 1,
        'the opinion clock',
      );
      // Monday 21 December: resolve in five working days, by Monday the 28th.
      drive.travelTo('2026-12-21T10:00:00+08:00');
      cases.early = await acceptedDispute();
      // Monday 28 December: five working days run to Monday 4 January on weekends alone.
      drive.travelTo('2026-12-28T10:00:00+08:00');
      cases.breached = await acceptedDispute();
    });

    it('counts clocks that run into 2027 on weekends alone, and says so', async () => {
      const petition = await view(cases.petition);
      expect(clock(petition, 'petition_opinion')[0]).toMatchObject({
        state: 'running',
        dueAt: '2027-02-08T16:00:00.000Z',
        basis: { calendarVersion: '2024.1+2025.1+2026.1', calendarFallback: true },
      });
      const breached = await view(cases.breached);
      for (const d of clock(breached, 'resolve')) {
        expect(d).toMatchObject({ dueAt: '2027-01-04T16:00:00.000Z', state: 'running' });
        expect(d.basis).toMatchObject({ calendarFallback: true });
      }
      const early = await view(cases.early);
      expect(clock(early, 'resolve').map((d) => [d.state, d.dueAt])).toEqual([
        ['running', '2026-12-28T16:00:00.000Z'],
        ['running', '2026-12-28T16:00:00.000Z'],
      ]);
    });

    it('previews loading 2027: exactly the clocks on the fallback, none that end in 2026', async () => {
      const petition = await view(cases.petition);
      const page = await preview('calendars/2027', CALENDAR_2027);
      expect(sorted(page.items).map(key)).toEqual(sorted(await onFallback()).map(key));
      expect(page.items.map((m) => m.caseId)).not.toContain(cases.early);
      expect(page.nextCursor).toBeNull();
      const opinion = page.items.find((m) => m.caseId === cases.petition)!;
      expect(opinion).toMatchObject({
        obligation: 'petition_opinion',
        previousDueAt: '2027-02-08T16:00:00.000Z',
        dueAt: '2027-02-12T16:00:00.000Z', // past the Spring Festival block
        previousLight: 'green',
        light: 'green',
        calendarFallback: false,
        reason: { kind: 'calendar', year: 2027, version: 1 },
      });
      const resolve = page.items.filter((m) => m.caseId === cases.breached);
      expect(resolve.map((m) => [m.obligation, m.previousDueAt, m.dueAt])).toEqual([
        ['resolve', '2027-01-04T16:00:00.000Z', '2027-01-05T16:00:00.000Z'],
        ['resolve', '2027-01-04T16:00:00.000Z', '2027-01-05T16:00:00.000Z'],
      ]);
      // Page by page: the same moves.
      const first = await preview('calendars/2027', CALENDAR_2027, '?limit=1');
      expect(first.nextCursor).toBe(first.items[0]!.caseId);
      const rest = await preview('calendars/2027', CALENDAR_2027, `?cursor=${first.nextCursor}`);
      expect(sorted([...first.items, ...rest.items])).toEqual(sorted(page.items));
      // Nothing was written.
      expect(await rescheduled()).toEqual([]);
      expect((await view(cases.petition)).deadlines).toEqual(petition.deadlines);
    });

    it('lets only admins preview, refusing bad input field by field', async () => {
      const supervisor = await drive.as('supervisor.jinan');
      await supervisor.post('/api/v1/calendars/2027/preview').send(CALENDAR_2027).expect(403);
      await supervisor
        .post('/api/v1/deadline-policies/preview')
        .send({ items: [resolveMinor] })
        .expect(403);
      const admin = await drive.as('admin');
      const bad = await admin
        .post('/api/v1/calendars/1999/preview')
        .send({ holidays: ['2027-13-01', 'soon'], makeupWorkdays: ['2027-01-04'], extra: 1 })
        .expect(400);
      expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect((bad.body as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual([
        'year',
        'extra',
        'holidays[0]',
        'holidays[1]',
        'makeupWorkdays[0]',
      ]);
      const shape = await admin
        .post('/api/v1/deadline-policies/preview')
        .send({ items: 'all', applyToRunning: 'yes' })
        .expect(400);
      expect(
        (shape.body as { errors: { field: string }[] }).errors.map((e) => e.field).sort(),
      ).toEqual(['applyToRunning', 'items']);
      const policy = await admin
        .post('/api/v1/deadline-policies/preview?limit=0')
        .send({ items: [resolveMinor] })
        .expect(400);
      expect((policy.body as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual([
        'limit',
      ]);
      const rules = await admin
        .post('/api/v1/deadline-policies/preview')
        .send({ items: [{ ...resolveMinor, period: { length: 2, unit: 'moons' } }, resolveMinor] })
        .expect(400);
      expect(
        (rules.body as { errors: { field: string }[] }).errors.map((e) => e.field).sort(),
      ).toEqual(['items[0].period.unit', 'items[1].code']);
    });

    it('documents both previews in the OpenAPI document', async () => {
      const document = await (await drive.as('admin')).get('/api/openapi.json').expect(200);
      const paths = document.body.paths as Record<string, Record<string, unknown>>;
      expect(Object.keys(paths['/api/v1/calendars/{year}/preview'] ?? {})).toEqual(['post']);
      expect(Object.keys(paths['/api/v1/deadline-policies/preview'] ?? {})).toEqual(['post']);
    });
  });

  describe('in January 2027, the year loaded late', () => {
    let previewed: Page;

    beforeAll(async () => {
      // Thursday 31 December: five working days run to Thursday 7 January on weekends alone.
      drive.travelTo('2026-12-31T10:00:00+08:00');
      cases.late = await acceptedDispute();
      // Tuesday 5 January, 09:00: the 28 December case is overdue since the 4th.
      drive.travelTo('2027-01-05T09:00:00+08:00');
      await drive.ledger(
        cases.breached,
        (v) => clock(v, 'resolve').every((d) => d.state === 'breached'),
        'the breach of the 28 December case',
      );
      previewed = await preview('calendars/2027', CALENDAR_2027);
    });

    it('previews the running clocks only: a breached clock is not moved', async () => {
      expect(sorted(previewed.items).map(key)).toEqual(sorted(await onFallback()).map(key));
      expect(previewed.items.map((m) => m.caseId)).not.toContain(cases.breached);
      expect(
        previewed.items
          .filter((m) => m.caseId === cases.late)
          .map((m) => [m.previousDueAt, m.dueAt]),
      ).toEqual([
        ['2027-01-07T16:00:00.000Z', '2027-01-08T16:00:00.000Z'],
        ['2027-01-07T16:00:00.000Z', '2027-01-08T16:00:00.000Z'],
      ]);
    });

    it('moves exactly the previewed clocks once, through a crash in the middle of the walk', async () => {
      const appWorker = casegrid.app.get(RescheduleWorker);
      await appWorker.stop();
      // A worker of one case per batch, whose first batch dies before it commits.
      const worker = new RescheduleWorker(
        pool,
        casegrid.app.get(LedgerStore),
        casegrid.app.get(ClockContextSource),
        casegrid.app.get<ReferenceReader>(referenceReader('supervision')),
        drive.clock,
        { pollIntervalMs: 50, onError: () => undefined, batchSize: 1 },
      );
      await pool.query(`create function supervision.crash() returns trigger language plpgsql as
        $$ begin raise exception 'crashed before commit'; end $$`);
      await pool.query(`create trigger crash before update on supervision.reschedules
        for each row execute function supervision.crash()`);
      await (await drive.as('admin')).put('/api/v1/calendars/2027').send(CALENDAR_2027).expect(201);
      let crashed: unknown;
      await waitUntil(
        async () => {
          crashed = await worker.step().then(
            () => undefined,
            (error: unknown) => error,
          );
          return crashed !== undefined;
        },
        { what: 'the first batch of the 2027 reschedule', timeoutMs: 30_000 },
      );
      expect(String(crashed)).toMatch(/crashed before commit/);
      expect(await rescheduled()).toEqual([]); // its events went with it

      // The job pending and nothing moved yet, business time runs past the end of the 7th,
      // the 31 December case's due time on the count the job replaces (the 8th on 2027's):
      // its clocks wait for the job instead of breaching on the old count.
      const scheduler = casegrid.app.get(DeadlineScheduler);
      await scheduler.stop();
      drive.travelTo('2027-01-08T01:00:00+08:00');
      // Every producer has said it published all it committed before the old due time, so
      // no watermark is what holds the firing back.
      await waitUntil(
        async () => {
          const { rows } = await pool.query<{ behind: string }>(
            `select count(*) filter (where at < '2027-01-07T16:00:00Z') as behind
             from supervision.watermarks where processor = 'supervision.case-events'`,
          );
          return rows[0]!.behind === '0';
        },
        { what: 'the watermarks past the old due time' },
      );
      const held = await scheduler.runDue();
      expect(held).toMatchObject({ failed: 0 });
      expect(held.waiting).toBeGreaterThanOrEqual(1);
      expect(clock(await view(cases.late), 'resolve').map((d) => d.state)).toEqual([
        'running',
        'running',
      ]);
      const metrics = await (await drive.as('admin')).get('/metrics').expect(200);
      expect(metrics.text).toMatch(/casegrid_deadline_cases_waiting [1-9]/);
      scheduler.start();
      await pool.query('drop trigger crash on supervision.reschedules');
      await pool.query('drop function supervision.crash()');
      // A job still pending a minute after its change holds its clocks that long: it says so.
      await pool.query(
        `update supervision.reschedules set recorded_at = recorded_at - interval '2 minutes'
         where finished_at is null`,
      );
      const ready = await request(casegrid.url).get('/health/ready');
      expect((ready.body as { warnings?: Record<string, string> }).warnings).toMatchObject({
        reschedules: expect.stringMatching(/deadlines wait for the reschedule of calendar 2027 v1/),
      });
      expect(await worker.step()).toBe('progress'); // one case
      const halfway = await rescheduled();
      expect(halfway.length).toBeGreaterThan(0);
      expect(halfway.length).toBeLessThan(previewed.items.length);
      expect(await jobs.progress(pool, 'calendar', '2027', 1)).toBeUndefined();
      // …and the process goes away; the service's own worker picks the job up where it was.
      appWorker.start();
      await finished('calendar', '2027', 1);

      const moves = await rescheduled();
      expect(sorted(moves)).toEqual(
        sorted(
          previewed.items.map((m) => ({
            caseId: m.caseId,
            clockId: m.clockId,
            previousDueAt: m.previousDueAt,
            dueAt: m.dueAt,
            reason: { kind: 'calendar', year: 2027, version: 1 },
          })),
        ),
      );
      expect(new Set(moves.map(key)).size).toBe(moves.length);
    });

    it('fires the clocks it held on the new count, never on the old one', async () => {
      const events = await pool.query<{ event_type: string }>(
        `select event_type from supervision.events where stream_id = $1`,
        [cases.late],
      );
      expect(events.rows.map((e) => e.event_type)).not.toContain('DeadlineBreached');
      const late = await view(cases.late);
      expect(clock(late, 'resolve').map((d) => [d.state, d.dueAt])).toEqual([
        ['running', '2027-01-08T16:00:00.000Z'],
        ['running', '2027-01-08T16:00:00.000Z'],
      ]);
    });

    it('shows the new due dates in the ledger, counted on 2027', async () => {
      for (const move of previewed.items) {
        const row = await drive.ledger(
          move.caseId,
          (v) => v.deadlines.some((d) => d.clockId === move.clockId && d.dueAt === move.dueAt),
          'the new due date',
        );
        const moved = row.deadlines.find((d) => d.clockId === move.clockId)!;
        expect(moved.state).toBe('running');
        expect(moved.basis).toMatchObject({
          calendarVersion: '2024.1+2025.1+2026.1+2027.1',
          calendarFallback: false,
        });
      }
      const breached = await view(cases.breached);
      expect(breached.light).toBe('red');
      expect(clock(breached, 'resolve').map((d) => [d.state, d.dueAt])).toEqual([
        ['breached', '2027-01-04T16:00:00.000Z'],
        ['breached', '2027-01-04T16:00:00.000Z'],
      ]);
    });

    it('records each move in the case’s audit chain', async () => {
      const inspector = await drive.as('inspector.jinan');
      await waitUntil(
        async () => {
          const { items } = (
            await inspector.get(`/api/v1/audit/cases/${cases.late}/events`).expect(200)
          ).body as { items: { event: { type: string } }[] };
          return (
            items.filter((i) => i.event.type === 'casegrid.supervision.DeadlineRescheduled.v1')
              .length === 2
          );
        },
        { what: 'the moves in audit' },
      );
      const verified = await inspector.get(`/api/v1/audit/cases/${cases.late}/verify`).expect(200);
      expect((verified.body as { valid: boolean }).valid).toBe(true);
    });

    it('moves nothing when the year is loaded again or its change delivered again', async () => {
      const before = await rescheduled();
      await (await drive.as('admin')).put('/api/v1/calendars/2027').send(CALENDAR_2027).expect(200);
      await finished('calendar', '2027', 2);
      expect(await jobs.progress(pool, 'calendar', '2027', 2)).toMatchObject({
        outcome: 'done',
        moved: 0,
      });
      // Version 1's change once more, as a new message (another id): the replica's version
      // guard and the job's key leave it without effect.
      const intake = casegrid.app.get<ServiceRuntime>(serviceRuntime('intake'));
      const { events } = await intake.store.readStream('reference:calendar:2027');
      const replica = casegrid.app.get<Infrastructure>(INFRASTRUCTURE).replicas.get('supervision')!;
      for (const event of events) {
        const cloudEvent = { ...toCloudEvent('intake', event), id: `${event.id}-again` };
        await inTransaction(pool, (tx) => replica.apply(tx, cloudEvent));
      }
      const { rows } = await pool.query<{ n: string }>(
        `select count(*) as n from supervision.reschedules where kind = 'calendar' and key = '2027'`,
      );
      expect(Number(rows[0]!.n)).toBe(2);
      await casegrid.app.get(RescheduleWorker).runPending();
      expect(await rescheduled()).toEqual(before);
    });
  });

  describe('a deadline policy changed in January 2027', () => {
    const seven = { ...resolveMinor, period: workingDays(7) };
    const eight = { ...resolveMinor, period: workingDays(8) };

    it('moves no running clock unless the administrator asks', async () => {
      const before = await rescheduled();
      expect((await preview('deadline-policies', { items: [seven] })).items).toEqual([]);
      await (
        await drive.as('admin')
      )
        .put('/api/v1/deadline-policies')
        .send({ items: [seven] })
        .expect(200);
      await waitUntil(
        async () =>
          (
            await pool.query(
              `select 1 from supervision.reference_data
               where kind = 'deadline_policy' and key = 'resolve.minor' and version = 2`,
            )
          ).rowCount === 1,
        { what: 'version 2 of resolve.minor in supervision' },
      );
      // The job would have been written with the replica's row: there is none.
      const { rows } = await pool.query(
        `select 1 from supervision.reschedules where kind = 'deadline_policy'`,
      );
      expect(rows).toEqual([]);
      expect(await rescheduled()).toEqual(before);
      expect(clock(await view(cases.late), 'resolve').map((d) => d.basis.policyVersion)).toEqual([
        1, 1,
      ]);
    });

    it('moves the running clocks of earlier versions when applied to running clocks', async () => {
      const body = { items: [eight], applyToRunning: true };
      const page = await preview('deadline-policies', body);
      // Eight working days after 31 December on the 2027 calendar: Wednesday 13 January.
      expect(sorted(page.items).map((m) => [m.caseId, m.previousDueAt, m.dueAt, m.reason])).toEqual(
        [
          [cases.late, '2027-01-08T16:00:00.000Z', '2027-01-13T16:00:00.000Z', reasonV3],
          [cases.late, '2027-01-08T16:00:00.000Z', '2027-01-13T16:00:00.000Z', reasonV3],
        ],
      );
      const before = await rescheduled();
      await (await drive.as('admin')).put('/api/v1/deadline-policies').send(body).expect(200);
      await finished('deadline_policy', 'resolve.minor', 3);
      // How it was saved travels with the version to supervision's copy.
      const { rows } = await pool.query<{ data: { version: number; applyToRunning: boolean } }>(
        `select data from supervision.reference_data where kind = 'deadline_policy' and key = 'resolve.minor'`,
      );
      expect(rows[0]?.data).toMatchObject({ version: 3, applyToRunning: true });
      const moves = (await rescheduled()).slice(before.length);
      expect(sorted(moves)).toEqual(
        sorted(
          page.items.map((m) => ({
            caseId: m.caseId,
            clockId: m.clockId,
            previousDueAt: m.previousDueAt,
            dueAt: m.dueAt,
            reason: reasonV3,
          })),
        ),
      );
      const late = await drive.ledger(
        cases.late,
        (v) => clock(v, 'resolve').every((d) => d.basis.policyVersion === 3),
        'the clocks on version 3',
      );
      expect(clock(late, 'resolve').map((d) => [d.dueAt, d.basis.length])).toEqual([
        ['2027-01-13T16:00:00.000Z', 8],
        ['2027-01-13T16:00:00.000Z', 8],
      ]);
      const breached = await view(cases.breached);
      expect(clock(breached, 'resolve').map((d) => [d.state, d.basis.policyVersion])).toEqual([
        ['breached', 1],
        ['breached', 1],
      ]);
    });

    it('refuses to give a policy’s code another obligation, in the save and its preview', async () => {
      const admin = await drive.as('admin');
      const body = { items: [{ ...eight, obligation: 'accept' }], applyToRunning: true };
      for (const path of ['/api/v1/deadline-policies/preview', '/api/v1/deadline-policies']) {
        const refused = await (path.endsWith('preview') ? admin.post(path) : admin.put(path))
          .send(body)
          .expect(400);
        expect((refused.body as { errors: { field: string; message: string }[] }).errors).toEqual([
          { field: 'items[0].obligation', message: expect.stringMatching(/^must stay resolve/) },
        ]);
      }
    });

    it('hands running clocks to a new policy applied to them where it is the more specific', async () => {
      // Mediated minor disputes: six working days, a code of their own.
      const mediated = {
        ...resolveMinor,
        code: 'resolve.minor.mediation',
        name: '办结（一般，调解）',
        appliesTo: { kind: 'dispute', severity: 'minor', track: 'mediation' },
        period: workingDays(6),
      };
      const body = { items: [mediated], applyToRunning: true };
      const page = await preview('deadline-policies', body);
      // The 31 December case, mediated: six working days on 2027's calendar, to the 11th.
      expect(sorted(page.items).map((m) => [m.caseId, m.previousDueAt, m.dueAt, m.reason])).toEqual(
        [
          [cases.late, '2027-01-13T16:00:00.000Z', '2027-01-11T16:00:00.000Z', reasonMediated],
          [cases.late, '2027-01-13T16:00:00.000Z', '2027-01-11T16:00:00.000Z', reasonMediated],
        ],
      );
      await (await drive.as('admin')).put('/api/v1/deadline-policies').send(body).expect(200);
      await finished('deadline_policy', 'resolve.minor.mediation', 1);
      const late = await drive.ledger(
        cases.late,
        (v) => clock(v, 'resolve').every((d) => d.basis.policy === 'resolve.minor.mediation'),
        'the clocks on the new policy',
      );
      expect(clock(late, 'resolve').map((d) => [d.dueAt, d.basis.policyVersion])).toEqual([
        ['2027-01-11T16:00:00.000Z', 1],
        ['2027-01-11T16:00:00.000Z', 1],
      ]);
      const moved = (await rescheduled()).filter((m) => m.reason.code === mediated.code);
      expect(sorted(moved).map(key)).toEqual(sorted(page.items).map(key));
    });
  });
});

const reasonV3 = { kind: 'deadline_policy', code: 'resolve.minor', version: 3 };
const reasonMediated = { kind: 'deadline_policy', code: 'resolve.minor.mediation', version: 1 };
