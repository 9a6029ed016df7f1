import { hoursAgo, mediationCases, type MediationCases } from './testing/mediation-cases';
import { startTestCasegrid, type TestCasegrid } from './testing/test-casegrid';

/**
 * Issue 6: every mediation command refuses bad input with a 400 that lists every field
 * (problem+json) and writes nothing.
 */
describe('mediation refuses bad input', () => {
  let casegrid: TestCasegrid;
  let cases: MediationCases;
  beforeAll(async () => {
    casegrid = await startTestCasegrid('mediation_input');
    cases = mediationCases(casegrid);
    await cases.ready();
  });
  afterAll(async () => {
    await casegrid?.stop();
  });

  const FUTURE = hoursAgo(-24);
  const BAD: [string, string, Record<string, unknown>, string[]][] = [
    ['open', '', {}, ['type', 'mediatorIds']],
    ['open', '', { type: 'court', mediatorIds: ['not-a-uuid'] }, ['type', 'mediatorIds']],
    ['open', '', { type: 'people', mediatorIds: [] }, ['mediatorIds']],
    ['sessions', '/sessions', {}, ['heldAt', 'location', 'attendees', 'notes']],
    [
      'sessions',
      '/sessions',
      { heldAt: '2026-03-01 10:00', location: '', attendees: [], notes: 5 },
      ['heldAt', 'location', 'attendees', 'notes'],
    ],
    ['agreement', '/agreement', {}, ['terms', 'signedAt']],
    [
      'agreement',
      '/agreement',
      { terms: '', signedAt: 'yesterday', performanceDueAt: '2026-13-01T00:00:00+08:00' },
      ['terms', 'signedAt', 'performanceDueAt'],
    ],
    ['failure', '/failure', { reason: '', referral: 'court' }, ['reason', 'referral']],
    [
      'judicial-confirmation',
      '/judicial-confirmation',
      { court: '', requestedAt: 'x' },
      ['court', 'requestedAt'],
    ],
    [
      'decision',
      '/judicial-confirmation/decision',
      { confirmed: 'yes', decidedAt: 1 },
      ['confirmed', 'decidedAt'],
    ],
    ['escalation', '/escalation', { reason: 1 }, ['reason']],
  ];
  it.each(BAD)(
    '%s refuses %j, listing every field, and writes nothing',
    async (_c, path, body, fields) => {
      const id = await cases.opened();
      const before = await cases.mediationEventCount();
      const response = await (
        await cases.as('mediator.shanda')
      )
        .post(`/api/v1/cases/${id}/mediation${path}`)
        .send(body)
        .expect(400)
        .expect('Content-Type', /application\/problem\+json/);
      const errors = (response.body as { errors: { field: string }[] }).errors;
      expect([...new Set(errors.map((e) => e.field))].sort()).toEqual([...fields].sort());
      expect(await cases.mediationEventCount()).toBe(before);
    },
  );

  it('refuses mediators who are not mediators of the body, and a type the body does not conduct', async () => {
    const id = await cases.accepted();
    const m = await cases.as('mediator.shanda');
    const before = await cases.mediationEventCount();
    const strangers = await m
      .post(`/api/v1/cases/${id}/mediation`)
      .send({
        type: 'people',
        mediatorIds: [await cases.userId('mediator.jiefang'), await cases.userId('clerk.jiefang')],
      })
      .expect(400);
    expect((strangers.body as { errors: unknown[] }).errors).toEqual([
      { field: 'mediatorIds[0]', message: 'must be a user of your mediation body' },
      { field: 'mediatorIds[1]', message: 'must be a user of your mediation body' },
    ]);
    const court = await m
      .post(`/api/v1/cases/${id}/mediation`)
      .send({ type: 'judicial', mediatorIds: [await cases.userId('mediator.shanda')] })
      .expect(400);
    expect((court.body as { errors: { field: string }[] }).errors[0]?.field).toBe('type');
    expect(await cases.mediationEventCount()).toBe(before);
  });

  it('refuses times in the future and an agreement signed before its first session', async () => {
    const id = await cases.opened();
    const m = await cases.as('mediator.shanda');
    await m
      .post(`/api/v1/cases/${id}/mediation/sessions`)
      .send({ heldAt: FUTURE, location: '调解室', attendees: ['双方'], notes: '调解' })
      .expect(400, /heldAt/);
    await m
      .post(`/api/v1/cases/${id}/mediation/sessions`)
      .send({ heldAt: hoursAgo(2), location: '调解室', attendees: ['双方'], notes: '调解' })
      .expect(200);
    const before = await cases.mediationEventCount();
    await m
      .post(`/api/v1/cases/${id}/mediation/agreement`)
      .send({ terms: '和解', signedAt: hoursAgo(3) })
      .expect(400, /signedAt/);
    await m
      .post(`/api/v1/cases/${id}/mediation/agreement`)
      .send({ terms: '和解', signedAt: hoursAgo(1), performanceDueAt: hoursAgo(1.5) })
      .expect(400, /performanceDueAt/);
    expect(await cases.mediationEventCount()).toBe(before);
  });

  it('answers a malformed case id with 400', async () => {
    await (await cases.as('mediator.shanda')).get('/api/v1/cases/not-a-uuid/mediation').expect(400);
  });
});
