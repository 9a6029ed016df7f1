import { CASE_EVENTS_TOPIC, fromBinaryMessage, type CloudEvent } from '@casegrid/contracts';
import { eachMessage, type Transport } from '@casegrid/messaging';
import { TRANSPORT } from '@casegrid/runtime';
import { waitUntil } from '@casegrid/testing';
import {
  hoursAgo,
  mediationCases,
  VILLAGE_COMMITTEE,
  type MediationCases,
} from './testing/mediation-cases';
import { startTestCasegrid, type TestCasegrid } from './testing/test-casegrid';

/**
 * Issue 6 through the Kafka transport: mediation learns the case from intake's events on
 * casegrid.case-events and its own events follow them in the case's one partition, in
 * order, carrying what supervision needs to stop and start its clocks.
 */
describe('mediation events on Kafka', () => {
  let casegrid: TestCasegrid;
  let cases: MediationCases;
  let subscription: { close(): Promise<void> } | undefined;
  const received = new Map<string, CloudEvent[]>();
  beforeAll(async () => {
    casegrid = await startTestCasegrid('mediation_kafka', {}, { kafka: true });
    cases = mediationCases(casegrid);
    await cases.ready();
    subscription = await casegrid.app.get<Transport>(TRANSPORT).subscribe({
      group: `supervision-stand-in-${Date.now()}`,
      topics: [CASE_EVENTS_TOPIC],
      handle: eachMessage(async (message) => {
        const event = fromBinaryMessage(message.headers, message.value);
        // Intake's and mediation's order; supervision's clock events interleave with them.
        if (event.source === '/casegrid/supervision') return;
        received.set(event.subject, [...(received.get(event.subject) ?? []), event]);
      }),
    });
  });
  afterAll(async () => {
    await subscription?.close();
    await casegrid?.stop();
  });

  const streamOf = async (caseId: string, count: number): Promise<CloudEvent[]> => {
    await waitUntil(() => (received.get(caseId)?.length ?? 0) >= count, {
      what: `${count} events of case ${caseId} on Kafka`,
      timeoutMs: 60_000,
    });
    return received.get(caseId)!;
  };
  const typeOf = (e: CloudEvent) => e.type.replace(/^casegrid\.|\.v1$/g, '');
  /** The case as supervision's ledger shows it, once it has the status. */
  const ledgerStatus = async (id: string, status: string): Promise<void> => {
    const supervisor = await cases.as('supervisor.lixia');
    await waitUntil(
      async () =>
        ((await supervisor.get(`/api/v1/cases/${id}`)).body as { status?: string }).status ===
        status,
      { what: `case ${id} ${status} in the ledger`, timeoutMs: 60_000 },
    );
  };
  const post = async (id: string, path: string, body: object) =>
    (await cases.as('mediator.shanda'))
      .post(`/api/v1/cases/${id}/mediation${path}`)
      .send(body)
      .expect(200);

  it('a village dispute dispatched, accepted, mediated in two sessions, agreed and confirmed', async () => {
    const id = await cases.accepted();
    const shanda = await cases.userId('mediator.shanda');
    await post(id, '', { type: 'people', mediatorIds: [shanda] });
    await post(id, '/sessions', {
      heldAt: hoursAgo(5),
      location: '调解室',
      attendees: ['双方'],
      notes: '一',
    });
    await post(id, '/sessions', {
      heldAt: hoursAgo(4),
      location: '调解室',
      attendees: ['双方'],
      notes: '二',
    });
    const signedAt = hoursAgo(3);
    const performanceDueAt = hoursAgo(-72);
    await post(id, '/agreement', { terms: '清理杂物', signedAt, performanceDueAt });
    await post(id, '/judicial-confirmation', { court: '解放路人民法庭', requestedAt: hoursAgo(2) });
    await post(id, '/judicial-confirmation/decision', { confirmed: true, decidedAt: hoursAgo(1) });

    const events = await streamOf(id, 9);
    expect(events.map((e) => [typeOf(e), e.streamversion])).toEqual([
      ['intake.CaseRegistered', 1],
      ['intake.CaseDispatched', 2],
      ['intake.CaseAccepted', 3],
      ['mediation.MediationOpened', 1],
      ['mediation.MediationSessionHeld', 2],
      ['mediation.MediationSessionHeld', 3],
      ['mediation.MediationAgreementReached', 4],
      ['mediation.JudicialConfirmationRequested', 5],
      ['mediation.JudicialConfirmationDecided', 6],
    ]);
    const mediation = events.slice(3);
    for (const event of mediation) {
      expect(event).toMatchObject({ source: '/casegrid/mediation', subject: id, actor: shanda });
      expect(event.data).toMatchObject({ caseId: id, departmentId: VILLAGE_COMMITTEE });
    }
    expect(mediation.map((e) => e.data)).toEqual([
      expect.objectContaining({ type: 'people', mediatorIds: [shanda] }),
      expect.objectContaining({ sessionNumber: 1, notes: '一' }),
      expect.objectContaining({ sessionNumber: 2, notes: '二' }),
      // Resolves the case; starts the performance clock and the 30-day confirmation window.
      expect.objectContaining({
        signedAt,
        performanceDueAt,
        judicialConfirmationDueAt: expect.stringMatching(/T16:00:00.000Z$/) as string,
      }),
      expect.objectContaining({ court: '解放路人民法庭' }),
      expect.objectContaining({ confirmed: true }),
    ]);
    await ledgerStatus(id, 'resolved');
  });

  it('a second one that fails and is referred to litigation', async () => {
    const id = await cases.accepted();
    await post(id, '', { type: 'people', mediatorIds: [await cases.userId('mediator.shanda')] });
    await post(id, '/sessions', {
      heldAt: hoursAgo(2),
      location: '调解室',
      attendees: ['双方'],
      notes: '分歧较大',
    });
    await post(id, '/failure', { reason: '双方分歧较大，调解不成', referral: 'litigation' });

    const events = await streamOf(id, 6);
    expect(events.map(typeOf)).toEqual([
      'intake.CaseRegistered',
      'intake.CaseDispatched',
      'intake.CaseAccepted',
      'mediation.MediationOpened',
      'mediation.MediationSessionHeld',
      'mediation.MediationFailed',
    ]);
    // A referral ends the centre's handling: supervision records outcome `referred`.
    expect(events[5]!.data).toEqual({
      caseId: id,
      departmentId: VILLAGE_COMMITTEE,
      reason: '双方分歧较大，调解不成',
      referral: 'litigation',
    });
    await ledgerStatus(id, 'referred');
  });
});
