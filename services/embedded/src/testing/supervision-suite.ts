import type { ServiceRuntime } from '@casegrid/runtime';
import { serviceRuntime } from '@casegrid/runtime';
import { DEFAULT_DEADLINE_POLICIES } from '@casegrid/deadlines';
import { DeadlineScheduler, WatermarkReader } from '@casegrid/service-supervision';
import { waitUntil } from '@casegrid/testing';
import { startTestCasegrid, type TestCasegrid } from './test-casegrid';
import { DEPARTMENTS, SupervisionDriver } from './supervision-scenarios';

/**
 * Supervision over HTTP (issue 5), on the embedded default's in-process transport and
 * through Kafka (the librdkafka mock broker): clocks driven by intake's events on the
 * real 2025 calendar, warnings and breaches at their instants, the escalation ladder up
 * to the city's notice, supervision orders, follow-ups, closure, the ledger's filters and
 * jurisdiction, and the scheduler's exactly-once.
 */
export function describeSupervision(transport: string, kafka: boolean): void {
  describe(`supervision on ${transport}`, () => {
    let casegrid: TestCasegrid;
    let drive: SupervisionDriver;
    const supervisionEvents = async (caseId: string, type: string): Promise<number> => {
      const runtime = casegrid.app.get<ServiceRuntime>(serviceRuntime('supervision'));
      const { rows } = await runtime.db.pool.query<{ n: string }>(
        'select count(*) as n from supervision.events where stream_id = $1 and event_type = $2',
        [caseId, type],
      );
      return Number(rows[0]!.n);
    };

    beforeAll(async () => {
      casegrid = await startTestCasegrid(
        `supervision_${transport.includes('Kafka') ? 'kafka' : 'log'}`,
        { SUPERVISION_POLL_MS: '50' },
        { kafka },
      );
      drive = new SupervisionDriver(casegrid);
    });
    afterAll(async () => {
      await casegrid?.stop();
    });

    describe('a village dispute left unaccepted', () => {
      let caseId: string;

      beforeAll(async () => {
        drive.travelTo('2025-09-24T10:00:00+08:00'); // a Wednesday
        caseId = await drive.register();
      });

      it('runs an accept clock for the lead and the co-handler: one working day, on the official calendar', async () => {
        const view = await drive.ledger(
          caseId,
          (v) => v.deadlines.length >= 2,
          'the accept clocks',
        );
        expect(view).toMatchObject({
          status: 'dispatched',
          light: 'green',
          supervisionLevel: 'none',
        });
        const accept = view.deadlines.filter((d) => d.obligation === 'accept');
        expect(accept.map((d) => d.departmentId).sort()).toEqual(
          [DEPARTMENTS.shandaResidents, DEPARTMENTS.shandaMediation].sort(),
        );
        for (const clock of accept) {
          expect(clock).toMatchObject({
            state: 'running',
            light: 'green',
            dueAt: '2025-09-25T16:00:00.000Z', // 24:00 on Thursday 09-25, China time
            warnAt: '2025-09-25T12:00:00.000Z', // four hours before
            basis: {
              policy: 'accept',
              unit: 'working_days',
              length: 1,
              calendarVersion: '2024.1+2025.1+2026.1',
            },
          });
        }
      });

      it('turns yellow after the warning time, once', async () => {
        drive.travelTo('2025-09-25T21:00:00+08:00');
        const view = await drive.ledger(caseId, (v) => v.light === 'yellow', 'the warning');
        expect(view.deadlines.every((d) => d.obligation !== 'accept' || d.light === 'yellow')).toBe(
          true,
        );
        expect(await supervisionEvents(caseId, 'DeadlineApproaching')).toBe(2);
      });

      it('breaches at 24:00 and is supervised by the township', async () => {
        drive.travelTo('2025-09-26T00:00:01+08:00');
        const view = await drive.ledger(
          caseId,
          (v) => v.supervisionLevel === 'township',
          'the breach',
        );
        expect(view).toMatchObject({ light: 'red', supervisingRegionCode: '370102001000' });
        expect(await supervisionEvents(caseId, 'DeadlineBreached')).toBe(2);
        expect(await supervisionEvents(caseId, 'DeadlineApproaching')).toBe(2);
      });

      it('is raised to the county two working days after the last day overdue (Sunday 09-28 is worked)', async () => {
        // Overdue since the end of Thursday 09-25: two working days are Friday 09-26 and the
        // make-up Sunday 09-28.
        drive.travelTo('2025-09-28T23:00:00+08:00');
        await new Promise((resolve) => setTimeout(resolve, 300)); // several scheduler rounds
        expect((await drive.ledger(caseId, () => true, 'the case')).supervisionLevel).toBe(
          'township',
        );
        drive.travelTo('2025-09-29T00:00:01+08:00');
        const view = await drive.ledger(
          caseId,
          (v) => v.supervisionLevel === 'county',
          'the county',
        );
        expect(view.supervisingRegionCode).toBe('370102000000');
      });

      it('reaches the city two working days later, on the eve of National Day, with one notice', async () => {
        drive.travelTo('2025-10-01T00:00:01+08:00'); // two working days after 09-28: 09-29, 09-30
        const view = await drive.ledger(caseId, (v) => v.supervisionLevel === 'city', 'the city');
        expect(view.supervisingRegionCode).toBe('370100000000');
        expect(view.noticeIds).toHaveLength(1);
        const notices = (
          await (await drive.as('supervisor.jinan')).get('/api/v1/notices').expect(200)
        ).body as {
          items: { id: string; caseId: string; regionCode: string; obligations: string[] }[];
        };
        expect(notices.items.find((n) => n.caseId === caseId)).toMatchObject({
          id: view.noticeIds[0],
          regionCode: '370100000000',
          obligations: ['accept'],
        });
        // Another district's supervisor sees neither the case nor its notice.
        const other = await drive.as('supervisor.shizhong');
        await other.get(`/api/v1/cases/${caseId}`).expect(404);
        const theirs = (await other.get('/api/v1/notices').expect(200)).body as {
          items: { caseId: string }[];
        };
        expect(theirs.items.some((n) => n.caseId === caseId)).toBe(false);
        drive.travelTo('2025-10-20T10:00:00+08:00');
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(await supervisionEvents(caseId, 'NoticeIssued')).toBe(1);
        expect(await supervisionEvents(caseId, 'SupervisionEscalated')).toBe(3);
      });

      it('shows red and city-level in the ledger list, and not to another district', async () => {
        const supervisor = await drive.as('supervisor.lixia');
        const red = (
          await supervisor.get('/api/v1/cases?light=red&supervisionLevel=city').expect(200)
        ).body as { items: { id: string; light: string }[] };
        expect(red.items.map((i) => i.id)).toContain(caseId);
        expect(red.items.every((i) => i.light === 'red')).toBe(true);
        const green = (await supervisor.get('/api/v1/cases?light=green').expect(200)).body as {
          items: { id: string }[];
        };
        expect(green.items.map((i) => i.id)).not.toContain(caseId);
        const other = (
          await (await drive.as('supervisor.shizhong')).get('/api/v1/cases').expect(200)
        ).body as { items: { id: string }[] };
        expect(other.items.map((i) => i.id)).not.toContain(caseId);
      });
    });

    describe('follow-up and closure', () => {
      const resolveDirectly = async (caseId: string) => {
        const handler = await drive.as('handler.lixia.hrss');
        await drive.ledger(caseId, (v) => v.status === 'dispatched', 'dispatch');
        await handler.post(`/api/v1/cases/${caseId}/accept`).send({ track: 'direct' }).expect(200);
        await handler
          .post(`/api/v1/cases/${caseId}/resolve`)
          .send({ outcome: 'resolved', summary: '责令用人单位足额支付工资' })
          .expect(200);
        return drive.ledger(caseId, (v) => v.status === 'resolved', 'the outcome');
      };

      it('refuses to close before an outcome and before a follow-up, then closes', async () => {
        drive.travelTo('2025-11-03T09:00:00+08:00');
        const caseId = await drive.register({ category: 'labor_wage', title: '拖欠工资' });
        await drive.ledger(
          caseId,
          (v) => v.leadDepartmentId === DEPARTMENTS.lixiaLabour,
          'routing',
        );
        const supervisor = await drive.as('supervisor.lixia');
        const early = await supervisor
          .post(`/api/v1/cases/${caseId}/close`)
          .send({ note: '销号' })
          .expect(409);
        expect((early.body as { detail: string }).detail).toMatch(/no outcome yet/);
        const visit = await supervisor
          .post(`/api/v1/cases/${caseId}/follow-ups`)
          .send({ method: 'phone', satisfaction: 'satisfied', notes: '电话回访' })
          .expect(409);
        expect((visit.body as { detail: string }).detail).toMatch(/no outcome yet/);

        const resolved = await resolveDirectly(caseId);
        expect(resolved.deadlines.find((d) => d.obligation === 'follow_up')).toMatchObject({
          state: 'running',
          basis: { policy: 'follow_up', unit: 'working_days', length: 5 },
        });
        const notYet = await supervisor
          .post(`/api/v1/cases/${caseId}/close`)
          .send({ note: '销号' })
          .expect(409);
        expect((notYet.body as { detail: string }).detail).toMatch(/no follow-up/);

        await (
          await drive.as('grid.shanda')
        )
          .post(`/api/v1/cases/${caseId}/follow-ups`)
          .send({
            method: 'visit',
            satisfaction: 'basically_satisfied',
            notes: '上门回访，工资已到账',
          })
          .expect(200);
        const closed = await supervisor
          .post(`/api/v1/cases/${caseId}/close`)
          .set('Idempotency-Key', `close-${caseId}`)
          .send({ note: '经回访基本满意，予以销号' })
          .expect(200);
        expect(closed.body).toMatchObject({ id: caseId, status: 'closed' });
        expect(closed.headers['etag']).toBe(`"${(closed.body as { version: number }).version}"`);
        // The same key again replays the answer and closes nothing twice.
        const again = await supervisor
          .post(`/api/v1/cases/${caseId}/close`)
          .set('Idempotency-Key', `close-${caseId}`)
          .send({ note: '经回访基本满意，予以销号' })
          .expect(200);
        expect(again.body).toEqual(closed.body);
        expect(await supervisionEvents(caseId, 'CaseClosed')).toBe(1);
        const view = await drive.ledger(caseId, (v) => v.status === 'closed', 'closure');
        expect(view.deadlines.every((d) => d.state === 'met' || d.state === 'breached')).toBe(true);
        await supervisor
          .post(`/api/v1/cases/${caseId}/close`)
          .send({ note: '再次销号' })
          .expect(409);
      });

      it('reopens the case on an unsatisfied follow-up, with a new handling clock', async () => {
        drive.travelTo('2025-11-10T09:00:00+08:00');
        const caseId = await drive.register({ category: 'labor_wage', title: '拖欠加班费' });
        await resolveDirectly(caseId);
        const response = await (
          await drive.as('supervisor.lixia')
        )
          .post(`/api/v1/cases/${caseId}/follow-ups`)
          .send({ method: 'phone', satisfaction: 'unsatisfied', notes: '加班费仍未支付' })
          .expect(200);
        expect(response.body).toMatchObject({ status: 'in_progress' });
        const view = await drive.ledger(caseId, (v) => v.status === 'in_progress', 'the reopen');
        const resolveClocks = view.deadlines.filter((d) => d.obligation === 'resolve');
        expect(resolveClocks.map((d) => d.state)).toEqual(['met', 'running']);
        expect(view.followUps.map((f) => f.satisfaction)).toEqual(['unsatisfied']);
        const supervisor = await drive.as('supervisor.lixia');
        await supervisor.post(`/api/v1/cases/${caseId}/close`).send({ note: '销号' }).expect(409);

        // Intake hears of the reopen: the holder handles it again and records a new outcome.
        const handler = await drive.as('handler.lixia.hrss');
        await waitUntil(
          async () =>
            (
              await handler
                .post(`/api/v1/cases/${caseId}/resolve`)
                .send({ outcome: 'resolved', summary: '加班费已补发' })
            ).status === 200,
          { what: 'intake to resume handling', timeoutMs: 30_000, intervalMs: 100 },
        );
        await drive.ledger(caseId, (v) => v.status === 'resolved', 'the second outcome');
        await supervisor
          .post(`/api/v1/cases/${caseId}/follow-ups`)
          .send({ method: 'phone', satisfaction: 'satisfied', notes: '已补发，满意' })
          .expect(200);
        await supervisor.post(`/api/v1/cases/${caseId}/close`).send({ note: '销号' }).expect(200);
        const closed = await drive.ledger(caseId, (v) => v.status === 'closed', 'closure');
        expect(closed.followUps.map((f) => f.satisfaction)).toEqual(['unsatisfied', 'satisfied']);
      });
    });

    describe('a supervision order (挂牌督办)', () => {
      it('runs its own clock to the order’s due time and breaches there', async () => {
        drive.travelTo('2025-12-01T09:00:00+08:00');
        const caseId = await drive.register({ category: 'labor_wage', title: '工程款拖欠' });
        await drive.ledger(caseId, (v) => v.status === 'dispatched', 'dispatch');
        const supervisor = await drive.as('supervisor.lixia');
        const issued = await supervisor
          .post(`/api/v1/cases/${caseId}/supervision-orders`)
          .send({
            responsibleLeader: '王副区长',
            responsibleDepartmentId: DEPARTMENTS.lixiaLabour,
            dueAt: '2025-12-03T18:00:00+08:00',
            instructions: '限期化解，每日报告进展',
          })
          .expect(200);
        expect(issued.body).toMatchObject({ id: caseId, status: 'dispatched' });
        const view = await drive.ledger(caseId, (v) => v.orders.length === 1, 'the order');
        const order = view.deadlines.find((d) => d.obligation === 'supervision_order');
        expect(order).toMatchObject({
          departmentId: DEPARTMENTS.lixiaLabour,
          dueAt: '2025-12-03T10:00:00.000Z',
          state: 'running',
          basis: { policy: 'supervision_order', article: '信访工作条例 第三十九条第三款' },
        });
        drive.travelTo('2025-12-03T18:00:01+08:00');
        const breached = await drive.ledger(
          caseId,
          (v) =>
            v.deadlines.some((d) => d.obligation === 'supervision_order' && d.state === 'breached'),
          'the order’s breach',
        );
        expect(breached.light).toBe('red');
      });

      it('refuses bad input field by field and writes nothing', async () => {
        drive.travelTo('2025-12-05T09:00:00+08:00');
        const caseId = await drive.register({ category: 'labor_wage', title: '欠薪' });
        const before = await drive.ledger(caseId, (v) => v.status === 'dispatched', 'dispatch');
        const supervisor = await drive.as('supervisor.lixia');
        const bad = await supervisor
          .post(`/api/v1/cases/${caseId}/supervision-orders`)
          .send({
            responsibleLeader: '',
            responsibleDepartmentId: 'x',
            dueAt: 'tomorrow',
            instructions: 1,
          })
          .expect(400);
        expect(
          (bad.body as { errors: { field: string }[] }).errors.map((e) => e.field).sort(),
        ).toEqual(['dueAt', 'instructions', 'responsibleDepartmentId', 'responsibleLeader']);
        const past = await supervisor
          .post(`/api/v1/cases/${caseId}/supervision-orders`)
          .send({
            responsibleLeader: '王副区长',
            responsibleDepartmentId: DEPARTMENTS.lixiaLabour,
            dueAt: '2025-12-01T09:00:00+08:00',
            instructions: '限期化解',
          })
          .expect(400);
        expect((past.body as { errors: { field: string }[] }).errors).toEqual([
          { field: 'dueAt', message: 'must be in the future' },
        ]);
        await supervisor
          .post(`/api/v1/cases/${caseId}/follow-ups`)
          .send({ method: 'pigeon', satisfaction: 'happy', notes: '' })
          .expect(400);
        // A handler may not issue orders; a clerk may not close.
        await (
          await drive.as('handler.lixia.hrss')
        )
          .post(`/api/v1/cases/${caseId}/supervision-orders`)
          .send({
            responsibleLeader: '王副区长',
            responsibleDepartmentId: DEPARTMENTS.lixiaLabour,
            dueAt: '2025-12-09T09:00:00+08:00',
            instructions: '限期化解',
          })
          .expect(403);
        const after = await drive.ledger(caseId, () => true, 'the case');
        expect(after.version).toBe(before.version);
        expect(after.orders).toEqual([]);
      });
    });

    describe('the deadline scheduler', () => {
      it('catches up after an outage and fires once with two instances racing', async () => {
        const scheduler = casegrid.app.get(DeadlineScheduler);
        drive.travelTo('2026-02-13T10:00:00+08:00'); // Friday before the Spring Festival
        const caseId = await drive.register();
        const view = await drive.ledger(caseId, (v) => v.deadlines.length >= 2, 'the clocks');
        // 02-14 is a make-up Saturday: the accept clock ends with it.
        expect(view.deadlines[0]!.dueAt).toBe('2026-02-14T16:00:00.000Z');

        await scheduler.stop(); // the outage
        drive.travelTo('2026-03-02T09:00:00+08:00');
        const runtime = casegrid.app.get<ServiceRuntime>(serviceRuntime('supervision'));
        const watermarks = casegrid.app.get(WatermarkReader);
        const twin = new DeadlineScheduler(
          runtime.db.pool,
          scheduler.ledger,
          scheduler.context,
          drive.clock,
          50,
          (error) => {
            throw error;
          },
          watermarks,
        );
        // Both instances fire up to the producers' watermarks: once those have caught up
        // with the clock, both see the whole outage as due.
        const target = drive.clock.now().toISOString();
        await waitUntil(
          async () => {
            const read = await watermarks.read(runtime.db.pool);
            return (['intake', 'mediation', 'petition'] as const).every(
              (p) => (read.get(p) ?? '') >= target,
            );
          },
          { what: 'the watermarks past the outage', timeoutMs: 30_000 },
        );
        // Never both: a case is fired by one instance, the other skips it or finds nothing
        // due — counted below in the case's own events, each exactly once. (The rounds' own
        // counts include other suites' cases due at this instant.)
        const [a, b] = await Promise.all([scheduler.runDue(), twin.runDue()]);
        expect(a.failed + b.failed).toBe(0);
        scheduler.start();
        const after = await drive.ledger(
          caseId,
          (v) => v.supervisionLevel === 'city',
          'the whole ladder',
        );
        expect(after.noticeIds).toHaveLength(1);
        expect(await supervisionEvents(caseId, 'DeadlineApproaching')).toBe(2);
        expect(await supervisionEvents(caseId, 'DeadlineBreached')).toBe(2);
        expect(await supervisionEvents(caseId, 'SupervisionEscalated')).toBe(3);
        expect(await supervisionEvents(caseId, 'NoticeIssued')).toBe(1);
      });
    });

    describe('a clock paused (中止) and extended (延期) by hand', () => {
      it('moves the due time by the time paused and the extension, within the policy', async () => {
        drive.travelTo('2026-03-16T09:00:00+08:00'); // a Monday
        const caseId = await drive.register({ category: 'labor_wage', title: '工伤待遇纠纷' });
        await drive.ledger(caseId, (v) => v.status === 'dispatched', 'dispatch');
        const handler = await drive.as('handler.lixia.hrss');
        await handler.post(`/api/v1/cases/${caseId}/accept`).send({ track: 'direct' }).expect(200);
        const accepted = await drive.ledger(
          caseId,
          (v) => v.deadlines.some((d) => d.obligation === 'resolve'),
          'the handling clock',
        );
        const clock = accepted.deadlines.find((d) => d.obligation === 'resolve')!;
        expect(clock.dueAt).toBe('2026-03-23T16:00:00.000Z'); // five working days
        const path = `/api/v1/cases/${caseId}/deadlines/${clock.clockId}`;

        await handler
          .post(`${path}/pause`)
          .send({ reason: '等待伤残等级鉴定', approvedBy: '区人社局副局长 王刚' })
          .expect(200);
        drive.travelTo('2026-03-18T09:00:00+08:00');
        await handler.post(`${path}/resume`).send({}).expect(200);
        const resumed = await drive.ledger(
          caseId,
          (v) => v.deadlines.find((d) => d.clockId === clock.clockId)!.state === 'running',
          'the resumption',
        );
        // Paused Monday to Wednesday: two working days added.
        expect(resumed.deadlines.find((d) => d.clockId === clock.clockId)!.dueAt).toBe(
          '2026-03-25T16:00:00.000Z',
        );

        await handler
          .post(`${path}/extension`)
          .send({ length: 3, reason: '涉及多名职工', approvedBy: '区人社局局长 赵敏' })
          .expect(200);
        const extended = await drive.ledger(caseId, () => true, 'the extension');
        expect(extended.deadlines.find((d) => d.clockId === clock.clockId)).toMatchObject({
          dueAt: '2026-03-30T16:00:00.000Z',
          basis: { policy: 'resolve.minor' },
        });
        const again = await handler
          .post(`${path}/extension`)
          .send({ length: 1, reason: '再次延期', approvedBy: '区人社局局长 赵敏' })
          .expect(409);
        expect((again.body as { detail: string }).detail).toMatch(/allows 1 extension/);
      });

      it('refuses bad input, other departments and roles that may not', async () => {
        drive.travelTo('2026-03-23T09:00:00+08:00');
        const caseId = await drive.register({ category: 'labor_wage', title: '欠薪' });
        const view = await drive.ledger(caseId, (v) => v.deadlines.length > 0, 'the clocks');
        const accept = view.deadlines[0]!.clockId;
        const handler = await drive.as('handler.lixia.hrss');
        const bad = await handler
          .post(`/api/v1/cases/${caseId}/deadlines/${accept}/extension`)
          .send({ length: 0, reason: '', approvedBy: 1 })
          .expect(400);
        expect(
          (bad.body as { errors: { field: string }[] }).errors.map((e) => e.field).sort(),
        ).toEqual(['approvedBy', 'length', 'reason']);
        await handler
          .post(`/api/v1/cases/${caseId}/deadlines/x1/pause`)
          .send({ reason: '等待', approvedBy: '局长' })
          .expect(400);
        await handler
          .post(`/api/v1/cases/${caseId}/deadlines/c99/pause`)
          .send({ reason: '等待', approvedBy: '局长' })
          .expect(400);
        const none = await handler
          .post(`/api/v1/cases/${caseId}/deadlines/${accept}/extension`)
          .send({ length: 1, reason: '来不及签收', approvedBy: '局长' })
          .expect(409);
        expect((none.body as { detail: string }).detail).toMatch(/allows no extension/);
        await (
          await drive.as('handler.jiefang.sfs')
        )
          .post(`/api/v1/cases/${caseId}/deadlines/${accept}/pause`)
          .send({ reason: '等待', approvedBy: '所长' })
          .expect(404);
        await (
          await drive.as('clerk.jiefang')
        )
          .post(`/api/v1/cases/${caseId}/deadlines/${accept}/pause`)
          .send({ reason: '等待', approvedBy: '所长' })
          .expect(403);
        const after = await drive.ledger(caseId, () => true, 'the case');
        expect(after.version).toBe(view.version);
      });
    });

    describe('a deadline policy changed by an administrator', () => {
      it('applies to clocks started after the change; a running clock keeps its version', async () => {
        drive.travelTo('2026-03-09T09:00:00+08:00'); // a Monday
        const before = await drive.register();
        await drive.ledger(before, (v) => v.deadlines.length >= 2, 'the first clocks');
        const accept = DEFAULT_DEADLINE_POLICIES.find((p) => p.code === 'accept')!;
        await (
          await drive.as('admin')
        )
          .put('/api/v1/deadline-policies')
          .send({ items: [{ ...accept, period: { length: 2, unit: 'working_days' } }] })
          .expect(200);
        const supervision = casegrid.app.get<ServiceRuntime>(serviceRuntime('supervision'));
        await waitUntil(
          async () =>
            (
              await supervision.db.pool.query(
                `select 1 from supervision.reference_data where kind = 'deadline_policy' and key = 'accept' and version = 2`,
              )
            ).rowCount === 1,
          { what: 'the policy change to reach supervision' },
        );
        await new Promise((resolve) => setTimeout(resolve, 1_100)); // the engine's 1 s cache
        const after = await drive.register();
        const fresh = await drive.ledger(after, (v) => v.deadlines.length >= 2, 'the new clocks');
        expect(fresh.deadlines[0]).toMatchObject({
          dueAt: '2026-03-11T16:00:00.000Z', // two working days: Tuesday and Wednesday
          basis: { policy: 'accept', length: 2 },
        });
        expect(fresh.deadlines[0]!.basis.policyVersion).toBe(2);
        const old = await drive.ledger(before, () => true, 'the first case');
        expect(old.deadlines[0]).toMatchObject({
          dueAt: '2026-03-10T16:00:00.000Z',
          basis: { length: 1 },
        });
        expect(old.deadlines[0]!.basis.policyVersion).toBe(1);
      });
    });
  });
}
