import type request from 'supertest';
import { CASE_EVENTS_TOPIC, fromBinaryMessage, type CloudEvent } from '@casegrid/contracts';
import { eachMessage, type Transport } from '@casegrid/messaging';
import { CASEGRID_CLOCK, type CasegridClock } from '@casegrid/platform';
import { TRANSPORT } from '@casegrid/runtime';
import { waitUntil } from '@casegrid/testing';
import {
  acceptedPetition,
  agentOf,
  LIXIA_PETITION_BUREAU,
  PETITION_OFFICER,
} from './testing/petition-cases';
import { SupervisionDriver } from './testing/supervision-scenarios';
import { startTestCasegrid, type TestCasegrid } from './testing/test-casegrid';

/**
 * Issue 7 end to end through the Kafka transport, on the real 2025–2026 calendar: the
 * business clock travels from day to day as the officers act. A letter received before
 * National Day is accepted, extended once, answered, reviewed, re-reviewed and terminated;
 * another is diverted to litigation. The petition view's statutory dates and the case's
 * events, in partition order, are what supervision will read.
 */
describe('a petition through the Kafka transport', () => {
  let casegrid: TestCasegrid;
  let clock: CasegridClock;
  let officer: request.Agent;
  const received = new Map<string, CloudEvent[]>();
  let close: () => Promise<void>;

  beforeAll(async () => {
    casegrid = await startTestCasegrid(
      'petition_kafka',
      {
        CASEGRID_NOW: '2025-09-20T09:00:00+08:00',
        CASE_DIRECTORY_WAIT_MS: '30000',
      },
      { kafka: true },
    );
    clock = casegrid.app.get<CasegridClock>(CASEGRID_CLOCK);
    officer = await agentOf(casegrid, PETITION_OFFICER);
    const subscription = await casegrid.app.get<Transport>(TRANSPORT).subscribe({
      group: `supervision-stand-in-${Date.now()}`,
      topics: [CASE_EVENTS_TOPIC],
      handle: eachMessage(async (message) => {
        const event = fromBinaryMessage(message.headers, message.value);
        received.set(event.subject, [...(received.get(event.subject) ?? []), event]);
      }),
    });
    close = () => subscription.close();
  });
  afterAll(async () => {
    await close?.();
    await casegrid?.stop();
  });

  const on = (day: string, time = '10:00:00') => {
    const instant = `${day}T${time}+08:00`;
    clock.travelTo(new Date(instant));
    return instant;
  };
  const endOf = (day: string) =>
    new Date(Date.parse(`${day}T00:00:00+08:00`) + 86_400_000).toISOString();
  const step = (id: string, name: string, body: object) =>
    officer.post(`/api/v1/cases/${id}/petition/${name}`).send(body).expect(200);
  const view = async (id: string) =>
    (await officer.get(`/api/v1/cases/${id}/petition`).expect(200)).body as {
      status: string;
      outcome: string | null;
      extension: { days: number; approvedBy: string } | null;
      statutoryDates: {
        step: string;
        days: number;
        lastDay: string;
        dueAt: string;
        state: string;
      }[];
    };
  const dates = async (id: string) =>
    (await view(id)).statutoryDates.map((d) => [d.step, d.days, d.lastDay, d.state]);
  /** The case's events of intake and petition (supervision writes to the topic too). */
  const eventsOf = async (id: string, count: number) => {
    const ours = () =>
      (received.get(id) ?? []).filter((e) => /^\/casegrid\/(intake|petition)$/.test(e.source));
    await waitUntil(() => ours().length >= count, {
      what: `${count} events of ${id} on Kafka`,
      timeoutMs: 60_000,
    });
    return ours();
  };

  it('is accepted, extended once, answered, reviewed, re-reviewed and terminated on time', async () => {
    const id = await acceptedPetition(casegrid, on('2025-09-20', '09:00:00'));
    // Day 15 after 09-20 is 10-05, inside National Day (10-01..08): the limit rolls to 10-09.
    expect(await dates(id)).toEqual([['petition_acceptance', 15, '2025-10-09', 'running']]);

    on('2025-09-30');
    await step(id, 'acceptance', { decision: 'accepted', reason: '属本机关职责，依法受理' });
    // 09-30 + 60 = Saturday 11-29: the opinion is due by the end of Monday 12-01 (Art 34).
    expect((await dates(id))[1]).toEqual(['petition_opinion', 60, '2025-12-01', 'running']);

    on('2025-11-25');
    await step(id, 'extension', {
      days: 30,
      reason: '涉及多个部门，情况复杂',
      approvedBy: '历下区信访局局长 李明',
    });
    expect((await dates(id))[1]).toEqual(['petition_opinion', 90, '2025-12-29', 'running']);

    on('2025-12-20');
    await step(id, 'opinion', { result: 'supported', text: '予以支持，责成用人单位补发工资' });
    on('2025-12-31');
    await step(id, 'review-request', {
      requestedAt: '2025-12-30T15:00:00+08:00',
      grounds: '补发不足',
    });
    on('2026-01-20');
    await step(id, 'review-decision', { result: 'explained', text: '已足额补发，解释说明' });
    on('2026-02-11');
    await step(id, 're-review-request', {
      requestedAt: '2026-02-10T09:30:00+08:00',
      grounds: '仍不服',
    });
    on('2026-03-05');
    await step(id, 're-review-decision', { result: 'not_supported', text: '维持复查意见' });
    on('2026-03-06');
    await step(id, 'termination', { basis: '复核终结，同一事实和理由不再受理' });

    const file = await view(id);
    expect(file).toMatchObject({
      status: 'terminated',
      outcome: 'terminated',
      extension: { days: 30, approvedBy: '历下区信访局局长 李明' },
    });
    expect(await dates(id)).toEqual([
      ['petition_acceptance', 15, '2025-10-09', 'met'],
      ['petition_opinion', 90, '2025-12-29', 'met'],
      ['review_request', 30, '2026-01-19', 'used'],
      ['review_decision', 30, '2026-01-29', 'met'],
      // 01-20 + 30 = 02-19, inside the Spring Festival (02-15..23): rolls to Tuesday 02-24.
      ['re_review_request', 30, '2026-02-24', 'used'],
      ['re_review_decision', 30, '2026-03-12', 'met'],
    ]);

    // Supervision's ledger counts the same days: each of its petition clocks ends when the
    // petition view says, and the ledger records the outcome.
    const ledger = await new SupervisionDriver(casegrid).ledger(
      id,
      (v) =>
        v.status === 'terminated' && v.deadlines.some((d) => d.obligation === 're_review_decision'),
      "the ledger's petition clocks",
    );
    const dueOf = (step: string) =>
      new Date(file.statutoryDates.find((d) => d.step === step)!.dueAt).getTime();
    const obligations = [
      'petition_acceptance',
      'petition_opinion',
      'review_decision',
      're_review_decision',
    ];
    expect(
      obligations.map((o) => [
        o,
        ledger.deadlines
          .filter((d) => d.obligation === o)
          .map((d) => [new Date(d.dueAt).getTime(), d.state]),
      ]),
    ).toEqual(obligations.map((o) => [o, [[dueOf(o), 'met']]]));

    const events = await eventsOf(id, 11);
    expect(events.map((e) => [e.type, e.time.slice(0, 10)])).toEqual([
      ['casegrid.intake.CaseRegistered.v1', '2025-09-20'],
      ['casegrid.intake.CaseDispatched.v1', '2025-09-20'],
      ['casegrid.intake.CaseAccepted.v1', '2025-09-20'],
      ['casegrid.petition.PetitionAcceptanceDecided.v1', '2025-09-30'],
      ['casegrid.petition.PetitionExtended.v1', '2025-11-25'],
      ['casegrid.petition.PetitionOpinionIssued.v1', '2025-12-20'],
      // ce_time is when the act took effect: the request reached the organ on 12-30.
      ['casegrid.petition.PetitionReviewRequested.v1', '2025-12-30'],
      ['casegrid.petition.PetitionReviewDecided.v1', '2026-01-20'],
      ['casegrid.petition.PetitionReReviewRequested.v1', '2026-02-10'],
      ['casegrid.petition.PetitionReReviewDecided.v1', '2026-03-05'],
      ['casegrid.petition.PetitionTerminated.v1', '2026-03-06'],
    ]);
    const petition = events.slice(3);
    expect(petition.map((e) => e.streamversion)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const e of petition) {
      expect(e).toMatchObject({
        source: '/casegrid/petition',
        subject: id,
        department: LIXIA_PETITION_BUREAU,
        data: { caseId: id, departmentId: LIXIA_PETITION_BUREAU },
      });
    }
    // What supervision needs to start, extend and stop its clocks.
    expect(petition.map((e) => e.data)).toEqual([
      expect.objectContaining({ decision: 'accepted', opinionDueAt: endOf('2025-12-01') }),
      expect.objectContaining({ days: 30, opinionDueAt: endOf('2025-12-29') }),
      expect.objectContaining({ result: 'supported' }),
      expect.objectContaining({ decisionDueAt: endOf('2026-01-29') }),
      expect.objectContaining({ result: 'explained' }),
      expect.objectContaining({ decisionDueAt: endOf('2026-03-12') }),
      expect.objectContaining({ result: 'not_supported' }),
      expect.objectContaining({ basis: '复核终结，同一事实和理由不再受理' }),
    ]);
  });

  it('is diverted to litigation and ends as referred (诉访分离)', async () => {
    const id = await acceptedPetition(casegrid, on('2025-09-22', '11:00:00'));
    // Sunday 09-28 is a make-up workday: the office is open and decides.
    on('2025-09-28');
    await step(id, 'acceptance', {
      decision: 'diverted',
      reason: '属于人民法院受理的民事纠纷，告知向人民法院起诉',
      channel: 'litigation',
    });
    expect(await view(id)).toMatchObject({ status: 'diverted', outcome: 'referred' });
    await new SupervisionDriver(casegrid).ledger(
      id,
      (v) => v.status === 'referred',
      'the ledger to record the referral',
    );
    // 09-22 + 15 = 10-07, inside National Day: due by the end of 10-09, and met.
    expect(await dates(id)).toEqual([['petition_acceptance', 15, '2025-10-09', 'met']]);
    const refused = await officer
      .post(`/api/v1/cases/${id}/petition/opinion`)
      .send({ result: 'supported', text: '予以支持' })
      .expect(409);
    expect((refused.body as { detail: string }).detail).toMatch(/diverted/);

    const events = await eventsOf(id, 4);
    expect(events.map((e) => e.type)).toEqual([
      'casegrid.intake.CaseRegistered.v1',
      'casegrid.intake.CaseDispatched.v1',
      'casegrid.intake.CaseAccepted.v1',
      'casegrid.petition.PetitionAcceptanceDecided.v1',
    ]);
    expect(events[3]!.data).toEqual({
      caseId: id,
      departmentId: LIXIA_PETITION_BUREAU,
      decision: 'diverted',
      reason: '属于人民法院受理的民事纠纷，告知向人民法院起诉',
      channel: 'litigation',
      // The clock runs on from where it was set: the decision is of that minute.
      decidedAt: expect.stringMatching(/^2025-09-28T02:00:/) as string,
      receivedAt: new Date('2025-09-22T11:00:00+08:00').toISOString(),
      opinionDueAt: null,
    });
  });
});
