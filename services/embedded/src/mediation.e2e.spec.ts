import {
  hoursAgo,
  mediationCases,
  TOWNSHIP_COMMITTEE,
  VILLAGE_COMMITTEE,
  type MediationCases,
} from './testing/mediation-cases';
import { startTestCasegrid, type TestCasegrid } from './testing/test-casegrid';

/**
 * Issue 6: the mediation service over HTTP — the whole file, its 409s, waiting for
 * intake's events, Idempotency-Key and If-Match, escalation one tier up.
 */
describe('mediation over HTTP', () => {
  let casegrid: TestCasegrid;
  let cases: MediationCases;
  beforeAll(async () => {
    casegrid = await startTestCasegrid('mediation', { CASE_DIRECTORY_WAIT_MS: '1500' });
    cases = mediationCases(casegrid);
    await cases.ready();
  });
  afterAll(async () => {
    await casegrid?.stop();
  });
  const mediator = () => cases.as('mediator.shanda');

  it('opens right after the accept, holds two sessions, reaches an agreement, has it confirmed', async () => {
    // The accept's event may not have reached mediation yet: the open waits for it.
    const id = await cases.accepted();
    const m = await mediator();
    const shanda = await cases.userId('mediator.shanda');
    const opened = await m
      .post(`/api/v1/cases/${id}/mediation`)
      .send({ type: 'people', mediatorIds: [shanda] })
      .expect(200, { id, version: 1, status: 'open' });
    expect(opened.headers['etag']).toBe('"1"');
    for (const [n, heldAt] of [hoursAgo(5), hoursAgo(3)].entries()) {
      await m
        .post(`/api/v1/cases/${id}/mediation/sessions`)
        .send({
          heldAt,
          location: '山大路社区调解室',
          attendees: ['申请人', '被申请人'],
          notes: `第${n + 1}次调解`,
        })
        .expect(200, { id, version: n + 2, status: 'open' });
    }
    const signedAt = hoursAgo(2);
    await m
      .post(`/api/v1/cases/${id}/mediation/agreement`)
      .send({ terms: '三日内清理杂物', signedAt, performanceDueAt: hoursAgo(-72) })
      .expect(200, { id, version: 4, status: 'agreed' });
    await m
      .post(`/api/v1/cases/${id}/mediation/judicial-confirmation`)
      .send({ court: '历下区人民法院解放路人民法庭', requestedAt: hoursAgo(1) })
      .expect(200, { id, version: 5, status: 'confirmation_requested' });
    await m
      .post(`/api/v1/cases/${id}/mediation/judicial-confirmation/decision`)
      .send({ confirmed: true, decidedAt: hoursAgo(0.5) })
      .expect(200, { id, version: 6, status: 'confirmed' });

    const view = await m.get(`/api/v1/cases/${id}/mediation`).expect(200);
    expect(view.headers['etag']).toBe('"6"');
    expect(view.body).toMatchObject({
      caseId: id,
      status: 'confirmed',
      departmentId: VILLAGE_COMMITTEE,
      type: 'people',
      mediatorIds: [shanda],
      sessions: [{ sessionNumber: 1 }, { sessionNumber: 2, notes: '第2次调解' }],
      agreement: { terms: '三日内清理杂物', signedAt },
      judicialConfirmation: {
        dueAt: expect.any(String) as string,
        court: '历下区人民法院解放路人民法庭',
        decision: { confirmed: true },
      },
      failure: null,
      version: 6,
    });
  });

  it('fails and refers to litigation, then refuses a second outcome with a 409 that says why', async () => {
    const id = await cases.opened();
    const m = await mediator();
    await m
      .post(`/api/v1/cases/${id}/mediation/failure`)
      .send({ reason: '被申请人拒绝调解', referral: 'litigation' })
      .expect(200, { id, version: 2, status: 'failed' });
    const again = await m
      .post(`/api/v1/cases/${id}/mediation/failure`)
      .send({ reason: '再次记录', referral: 'none' })
      .expect(409);
    expect(again.body).toMatchObject({
      detail: expect.stringMatching(/no second outcome/),
      code: 'mediation.not_mediating',
    });
    const view = await m.get(`/api/v1/cases/${id}/mediation`).expect(200);
    expect(view.body).toMatchObject({
      status: 'failed',
      failure: { reason: '被申请人拒绝调解', referral: 'litigation' },
      agreement: null,
    });
  });

  it.each([
    [
      'an agreement before a session',
      'agreement',
      { terms: '和解', signedAt: hoursAgo(1) },
      /no agreement before a session/,
    ],
    [
      'a confirmation without an agreement',
      'judicial-confirmation',
      { court: '法庭', requestedAt: hoursAgo(1) },
      /needs an agreement/,
    ],
    [
      'a decision without a request',
      'judicial-confirmation/decision',
      { confirmed: true, decidedAt: hoursAgo(1) },
      /none is decided/,
    ],
  ])('refuses %s with a 409 that says why, writing nothing', async (_what, path, body, why) => {
    const id = await cases.opened();
    const before = await cases.mediationEventCount();
    const response = await (
      await mediator()
    )
      .post(`/api/v1/cases/${id}/mediation/${path}`)
      .send(body)
      .expect(409);
    expect((response.body as { detail: string }).detail).toMatch(why);
    expect(await cases.mediationEventCount()).toBe(before);
  });

  it('refuses a confirmation request outside the 30-day window (人民调解法 Art 33)', async () => {
    const id = await cases.opened();
    const m = await mediator();
    await m
      .post(`/api/v1/cases/${id}/mediation/sessions`)
      .send({ heldAt: hoursAgo(24 * 40), location: '调解室', attendees: ['双方'], notes: '调解' })
      .expect(200);
    await m
      .post(`/api/v1/cases/${id}/mediation/agreement`)
      .send({ terms: '分期还款', signedAt: hoursAgo(24 * 39) })
      .expect(200);
    const late = await m
      .post(`/api/v1/cases/${id}/mediation/judicial-confirmation`)
      .send({ court: '历下区人民法院', requestedAt: hoursAgo(1) })
      .expect(409);
    expect((late.body as { detail: string }).detail).toMatch(/within 30 days.*Art 33.*outside it/);
  });

  it('opens only a case accepted on the mediation track, and only once', async () => {
    const shanda = await cases.userId('mediator.shanda');
    const direct = await cases.accepted('direct');
    const response = await (
      await mediator()
    )
      .post(`/api/v1/cases/${direct}/mediation`)
      .send({ type: 'people', mediatorIds: [shanda] })
      .expect(409);
    expect((response.body as { detail: string }).detail).toMatch(
      /accepted on the direct track: mediation opens only for a case accepted on the mediation track/,
    );
    const id = await cases.opened();
    await (
      await mediator()
    )
      .post(`/api/v1/cases/${id}/mediation`)
      .send({ type: 'people', mediatorIds: [shanda] })
      .expect(409);
  });

  it("waits for intake's event, then says it timed out: 409 for a case not yet accepted, 404 for one never heard of", async () => {
    const shanda = await cases.userId('mediator.shanda');
    const id = await cases.dispatched();
    const started = Date.now();
    const early = await (
      await mediator()
    )
      .post(`/api/v1/cases/${id}/mediation`)
      .send({ type: 'people', mediatorIds: [shanda] })
      .expect(409);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    expect((early.body as { detail: string }).detail).toMatch(
      /is dispatched, not accepted by its lead; waited 1500 ms for intake's event/,
    );
    const unknown = await (
      await mediator()
    )
      .post('/api/v1/cases/0193ffff-0000-7000-8000-000000000000/mediation/sessions')
      .send({ heldAt: hoursAgo(1), location: '调解室', attendees: ['双方'], notes: '调解' })
      .expect(404);
    expect((unknown.body as { detail: string }).detail).toMatch(/has not heard of it from intake/);
  });

  it('replays a retry under the same Idempotency-Key; If-Match makes a command conditional', async () => {
    const id = await cases.opened();
    const m = await mediator();
    const session = { heldAt: hoursAgo(1), location: '调解室', attendees: ['双方'], notes: '调解' };
    const first = await m
      .post(`/api/v1/cases/${id}/mediation/sessions`)
      .set('Idempotency-Key', `session-${id}`)
      .send(session)
      .expect(200);
    const before = await cases.mediationEventCount();
    const retry = await m
      .post(`/api/v1/cases/${id}/mediation/sessions`)
      .set('Idempotency-Key', `session-${id}`)
      .send(session)
      .expect(200);
    expect(retry.body).toEqual(first.body);
    expect(await cases.mediationEventCount()).toBe(before);
    await m
      .post(`/api/v1/cases/${id}/mediation/sessions`)
      .set('Idempotency-Key', `session-${id}`)
      .send({ ...session, notes: '另一次' })
      .expect(422);
    await m
      .post(`/api/v1/cases/${id}/mediation/failure`)
      .set('If-Match', '"1"')
      .send({ reason: '拒绝调解', referral: 'none' })
      .expect(412);
    await m
      .post(`/api/v1/cases/${id}/mediation/failure`)
      .set('If-Match', '"2"')
      .send({ reason: '拒绝调解', referral: 'none' })
      .expect(200, { id, version: 3, status: 'failed' });
  });

  it('escalates to the township committee, which opens it; the village committee then only reads', async () => {
    const id = await cases.opened();
    await (
      await mediator()
    )
      .post(`/api/v1/cases/${id}/mediation/escalation`)
      .send({ reason: '涉及多户，社区层面无法化解' })
      .expect(200, { id, version: 2, status: 'escalated' });
    const township = await cases.as('mediator.jiefang');
    await township
      .post(`/api/v1/cases/${id}/mediation`)
      .send({ type: 'people', mediatorIds: [await cases.userId('mediator.jiefang')] })
      .expect(200, { id, version: 3, status: 'open' });
    await (
      await mediator()
    )
      .post(`/api/v1/cases/${id}/mediation/sessions`)
      .send({ heldAt: hoursAgo(1), location: '调解室', attendees: ['双方'], notes: '调解' })
      .expect(403);
    const view = await (await mediator()).get(`/api/v1/cases/${id}/mediation`).expect(200);
    expect(view.body).toMatchObject({
      status: 'open',
      departmentId: TOWNSHIP_COMMITTEE,
      formerDepartmentIds: [VILLAGE_COMMITTEE],
    });
  });
});
