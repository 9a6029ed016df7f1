import type request from 'supertest';
import { uuidv7 } from '@casegrid/kernel';
import { waitUntil } from '@casegrid/testing';
import { acceptedPetition, agentOf, PETITION_OFFICER } from './testing/petition-cases';
import { startTestCasegrid, type TestCasegrid } from './testing/test-casegrid';

/**
 * Issue 7 over HTTP: every petition endpoint's happy path, its bad inputs field by field
 * (nothing written), the 409s that cite the article, Idempotency-Key and If-Match.
 */
describe('the petition API', () => {
  let casegrid: TestCasegrid;
  let officer: request.Agent;
  beforeAll(async () => {
    casegrid = await startTestCasegrid('petition_api', { CASE_DIRECTORY_WAIT_MS: '2000' });
    officer = await agentOf(casegrid, PETITION_OFFICER);
  });
  afterAll(async () => {
    await casegrid?.stop();
  });

  const t = (day: string, time = '10:00:00') => `${day}T${time}+08:00`;
  const post = (caseId: string, step: string, body: object) =>
    officer.post(`/api/v1/cases/${caseId}/petition/${step}`).send(body);
  const view = async (caseId: string) =>
    (await officer.get(`/api/v1/cases/${caseId}/petition`).expect(200)).body as {
      status: string;
      version: number;
      statutoryDates: { step: string; lastDay: string; state: string }[];
    };
  const fields = (response: request.Response) =>
    (response.body as { errors: { field: string }[] }).errors.map((e) => e.field).sort();

  const ACCEPT = {
    decision: 'accepted',
    reason: '属本机关职责，依法受理',
    decidedAt: t('2025-09-30'),
  };
  const OPINION = { result: 'explained', text: '解释说明相关政策', issuedAt: t('2025-11-10') };

  it('takes a petition through every step, answering {id, version, status} with its ETag', async () => {
    const id = await acceptedPetition(casegrid, t('2025-09-26', '09:00:00'));
    expect(await view(id)).toMatchObject({
      status: 'awaiting_acceptance',
      version: 0,
      statutoryDates: [{ step: 'petition_acceptance', lastDay: '2025-10-11', state: 'overdue' }],
    });
    const steps: [string, object, string][] = [
      ['acceptance', ACCEPT, 'accepted'],
      [
        'extension',
        { days: 20, reason: '情况复杂', approvedBy: '局长 李明', approvedAt: t('2025-11-01') },
        'accepted',
      ],
      ['opinion', OPINION, 'answered'],
      ['review-request', { requestedAt: t('2025-11-20'), grounds: '不服' }, 'under_review'],
      [
        'review-decision',
        { result: 'not_supported', text: '维持', decidedAt: t('2025-12-10') },
        'reviewed',
      ],
      ['re-review-request', { requestedAt: t('2025-12-15'), grounds: '仍不服' }, 'under_re_review'],
      ['hearing', { reason: '组织听证', startedAt: t('2025-12-20') }, 'under_re_review'],
      ['hearing/end', { endedAt: t('2025-12-24', '17:00:00') }, 'under_re_review'],
      [
        're-review-decision',
        { result: 'not_supported', text: '维持', decidedAt: t('2026-01-05') },
        're_reviewed',
      ],
      ['termination', { basis: '复核终结', terminatedAt: t('2026-01-06') }, 'terminated'],
    ];
    let version = 0;
    for (const [step, body, status] of steps) {
      const response = await post(id, step, body).expect(200);
      version += 1;
      expect({ step, body: response.body as unknown, etag: response.headers.etag }).toEqual({
        step,
        body: { id, version, status },
        etag: `"${version}"`,
      });
    }
    const file = await view(id);
    expect(file.status).toBe('terminated');
    expect(file.statutoryDates.map((d) => [d.step, d.lastDay, d.state])).toEqual([
      ['petition_acceptance', '2025-10-11', 'met'],
      ['petition_opinion', '2025-12-19', 'met'],
      ['review_request', '2025-12-10', 'used'],
      ['review_decision', '2025-12-22', 'met'],
      ['re_review_request', '2026-01-09', 'used'],
      // 12-15 + 30 + 4 hearing days = Sunday 01-18: rolls to Monday 01-19.
      ['re_review_decision', '2026-01-19', 'met'],
    ]);
  });

  describe('bad input is refused field by field, and nothing is written', () => {
    let id: string;
    beforeAll(async () => {
      id = await acceptedPetition(casegrid, t('2025-09-26', '09:00:00'));
    });
    afterEach(async () => {
      expect((await view(id)).version).toBe(0);
    });
    it.each([
      ['acceptance', {}, ['decision', 'reason']],
      [
        'acceptance',
        { decision: 'maybe', reason: 'x', channel: 'court', decidedAt: '2025-09-30' },
        ['channel', 'decidedAt', 'decision', 'reason'],
      ],
      [
        'extension',
        { days: 31, reason: '', approvedAt: 'yesterday' },
        ['approvedAt', 'approvedBy', 'days', 'reason'],
      ],
      ['extension', { days: 1.5, reason: '复杂', approvedBy: '局长' }, ['days']],
      [
        'opinion',
        { result: 'partially_supported', text: '', issuedAt: '2025-11-10T10:00' },
        ['issuedAt', 'result', 'text'],
      ],
      ['review-request', { grounds: 'x' }, ['grounds', 'requestedAt']],
      ['review-decision', { result: 'upheld' }, ['result', 'text']],
      ['re-review-request', { requestedAt: 42, grounds: '不服' }, ['requestedAt']],
      ['re-review-decision', { result: 'supported', text: 'ok', decidedAt: 'soon' }, ['decidedAt']],
      ['termination', { basis: '' }, ['basis']],
      ['hearing', { startedAt: '2025-12-20' }, ['reason', 'startedAt']],
      ['hearing/end', { endedAt: 'tomorrow' }, ['endedAt']],
    ])('POST %s %j', async (step, body, expected) => {
      const response = await post(id, step, body).expect(400);
      expect(fields(response)).toEqual(expected);
    });
    it('refuses a diverted matter without its channel, and dates in the future', async () => {
      const diverted = await post(id, 'acceptance', {
        decision: 'diverted',
        reason: '涉诉',
      }).expect(400);
      expect(fields(diverted)).toEqual(['channel']);
      const future = await post(id, 'acceptance', { ...ACCEPT, decidedAt: t('2099-01-01') }).expect(
        400,
      );
      expect(fields(future)).toEqual(['decidedAt']);
      const early = await post(id, 'acceptance', { ...ACCEPT, decidedAt: t('2025-09-25') }).expect(
        400,
      );
      expect(fields(early)).toEqual(['decidedAt']);
    });
  });

  describe('steps the 信访工作条例 forbids are 409s that cite the article', () => {
    it('answers only an accepted petition, extends once, reviews in time, terminates after re-review', async () => {
      const id = await acceptedPetition(casegrid, t('2025-09-26', '09:00:00'));
      // The article in words (`detail`), the rule as a stable code clients branch on.
      const refused = async (step: string, body: object, article: RegExp, code: string) => {
        const response = await post(id, step, body).expect(409);
        expect(response.body).toMatchObject({ detail: expect.stringMatching(article), code });
      };
      await refused('opinion', OPINION, /第三十四条/, 'petition.not_accepted');
      await refused(
        'termination',
        { basis: '终结' },
        /第三十六条第三款/,
        'petition.no_re_review_opinion',
      );
      await post(id, 'acceptance', ACCEPT).expect(200);
      await refused(
        'acceptance',
        ACCEPT,
        /decided on 2025-09-30.*第二十二条/,
        'petition.acceptance_already_decided',
      );
      await refused(
        'extension',
        { days: 10, reason: '复杂', approvedBy: '局长', approvedAt: t('2025-12-02') },
        /ended with 2025-12-01.*第三十四条/,
        'petition.handling_period_lapsed',
      );
      await post(id, 'extension', {
        days: 10,
        reason: '复杂',
        approvedBy: '局长',
        approvedAt: t('2025-11-01'),
      }).expect(200);
      await refused(
        'extension',
        { days: 5, reason: '复杂', approvedBy: '局长', approvedAt: t('2025-11-02') },
        /allows one extension/,
        'petition.already_extended',
      );
      await post(id, 'opinion', OPINION).expect(200);
      await refused(
        'review-request',
        { requestedAt: t('2025-12-11'), grounds: '不服' },
        /came after 2025-12-10.*第三十五条/,
        'petition.review_window_closed',
      );
      await refused(
        're-review-request',
        { requestedAt: t('2025-12-01'), grounds: '不服' },
        /第三十六条/,
        'petition.no_review_opinion',
      );
      expect((await view(id)).version).toBe(3);
    });

    it('has no petition file for a case on another track', async () => {
      const id = await acceptedPetition(casegrid, t('2025-09-26', '09:00:00'), { track: 'direct' });
      const response = await post(id, 'acceptance', ACCEPT).expect(409);
      expect((response.body as { detail: string }).detail).toMatch(/on the direct track/);
      await officer.get(`/api/v1/cases/${id}/petition`).expect(404);
    });

    it('answers 404 for a case intake never told it of, after waiting for the event', async () => {
      const response = await post(uuidv7(), 'acceptance', ACCEPT).expect(404);
      expect((response.body as { detail: string }).detail).toMatch(
        /waited 2000 ms for intake's event/,
      );
    });
  });

  describe("the calendar is the service's replica of intake's", () => {
    it("moves a statutory date when an admin changes the year, once intake's event arrives", async () => {
      const id = await acceptedPetition(casegrid, t('2025-09-26', '09:00:00'));
      const acceptanceLastDay = async () => (await view(id)).statutoryDates[0]?.lastDay;
      // Day 15 is the make-up Saturday 10-11: a working day, the last day.
      expect(await acceptanceLastDay()).toBe('2025-10-11');
      const admin = await agentOf(casegrid, 'admin');
      const year = (await admin.get('/api/v1/calendars/2025').expect(200)).body as {
        holidays: string[];
        makeupWorkdays: string[];
      };
      const put = (makeupWorkdays: string[]) =>
        admin
          .put('/api/v1/calendars/2025')
          .send({ holidays: year.holidays, makeupWorkdays })
          .expect(200);
      // Without the make-up day, 10-11 is an ordinary Saturday: the limit rolls to Monday.
      await put(year.makeupWorkdays.filter((d) => d !== '2025-10-11'));
      await waitUntil(async () => (await acceptanceLastDay()) === '2025-10-13', {
        what: "the petition service's calendar to follow the admin's change",
      });
      await put(year.makeupWorkdays);
      await waitUntil(async () => (await acceptanceLastDay()) === '2025-10-11', {
        what: 'the calendar restored',
      });
    });
  });

  it('documents every petition endpoint in the OpenAPI document', async () => {
    const document = (await officer.get('/api/openapi.json').expect(200)).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const petition = Object.entries(document.paths)
      .filter(([path]) => path.includes('/petition'))
      .flatMap(([path, ops]) => Object.keys(ops).map((op) => `${op.toUpperCase()} ${path}`));
    expect(petition.sort()).toEqual(
      [
        'GET /api/v1/cases/{id}/petition',
        ...[
          'acceptance',
          'extension',
          'opinion',
          'review-request',
          'review-decision',
          're-review-request',
          're-review-decision',
          'hearing',
          'hearing/end',
          'termination',
        ].map((step) => `POST /api/v1/cases/{id}/petition/${step}`),
      ].sort(),
    );
  });

  describe('Idempotency-Key and If-Match', () => {
    it('replays a retry, refuses the key with another body (422), and a stale If-Match (412)', async () => {
      const id = await acceptedPetition(casegrid, t('2025-09-26', '09:00:00'));
      const first = await post(id, 'acceptance', ACCEPT)
        .set('Idempotency-Key', 'petition-accept-1')
        .expect(200);
      const again = await officer
        .post(`/api/v1/cases/${id}/petition/acceptance`)
        .set('Idempotency-Key', 'petition-accept-1')
        .send(ACCEPT)
        .expect(200);
      expect(again.body).toEqual(first.body);
      await officer
        .post(`/api/v1/cases/${id}/petition/acceptance`)
        .set('Idempotency-Key', 'petition-accept-1')
        .send({ ...ACCEPT, reason: '另一个理由' })
        .expect(422);
      await officer
        .post(`/api/v1/cases/${id}/petition/opinion`)
        .set('If-Match', '"7"')
        .send(OPINION)
        .expect(412);
      await officer
        .post(`/api/v1/cases/${id}/petition/opinion`)
        .set('If-Match', '"1"')
        .send(OPINION)
        .expect(200);
      expect((await view(id)).version).toBe(2);
    });

    it('decides again on the fresh stream when two officers race: one acceptance, one 409', async () => {
      const id = await acceptedPetition(casegrid, t('2025-09-26', '09:00:00'));
      const colleague = await agentOf(casegrid, PETITION_OFFICER);
      const statuses = await Promise.all([
        post(id, 'acceptance', ACCEPT).then((r) => r.status),
        colleague
          .post(`/api/v1/cases/${id}/petition/acceptance`)
          .send({ ...ACCEPT, decision: 'not_accepted', reason: '不属于信访事项' })
          .then((r) => r.status),
      ]);
      expect(statuses.sort()).toEqual([200, 409]);
      expect((await view(id)).version).toBe(1);
    });
  });
});
