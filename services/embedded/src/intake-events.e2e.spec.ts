import request from 'supertest';
import { CASE_EVENTS_TOPIC, fromBinaryMessage, type CloudEvent } from '@casegrid/contracts';
import { eachMessage, type Transport } from '@casegrid/messaging';
import { TRANSPORT } from '@casegrid/runtime';
import { waitUntil } from '@casegrid/testing';
import { freshIdNumber, startTestCasegrid, type TestCasegrid } from './testing/test-casegrid';

/**
 * Issue 4: through the Kafka transport, a registered case's events reach another
 * service's consumer group in the order they were appended, with the routing engine's
 * explanation — the way supervision and audit will consume them.
 */
describe('intake events on Kafka', () => {
  let casegrid: TestCasegrid;
  beforeAll(async () => {
    casegrid = await startTestCasegrid('intake_kafka', {}, { kafka: true });
  });
  afterAll(async () => {
    await casegrid?.stop();
  });

  it('arrive in order, routed with the reason, as CloudEvents of intake', async () => {
    const received = new Map<string, CloudEvent[]>();
    const transport = casegrid.app.get<Transport>(TRANSPORT);
    const subscription = await transport.subscribe({
      group: `another-service-${Date.now()}`,
      topics: [CASE_EVENTS_TOPIC],
      handle: eachMessage(async (message) => {
        const event = fromBinaryMessage(message.headers, message.value);
        // Supervision's clocks share the case's stream; this spec follows intake's events.
        if (event.source !== '/casegrid/intake') return;
        received.set(event.subject, [...(received.get(event.subject) ?? []), event]);
      }),
    });
    try {
      const clerk = request
        .agent(casegrid.url)
        .auth(await casegrid.token('clerk.jiefang'), { type: 'bearer' });
      const registration = await clerk
        .post('/api/v1/cases')
        .send({
          kind: 'dispute',
          channel: 'grid',
          title: '楼道堆物引发邻里矛盾',
          description: '邻居长期在楼道堆放杂物',
          category: 'neighbor',
          regionCode: '370102001001',
          parties: [{ role: 'applicant', name: '孙七', idNumber: freshIdNumber() }],
        })
        .expect(201);
      const caseId = (registration.body as { id: string }).id;
      const mediator = request
        .agent(casegrid.url)
        .auth(await casegrid.token('mediator.shanda'), { type: 'bearer' });
      await mediator
        .post(`/api/v1/cases/${caseId}/accept`)
        .send({ track: 'mediation' })
        .expect(200);

      await waitUntil(() => (received.get(caseId)?.length ?? 0) >= 3, {
        what: "the case's events on Kafka",
        timeoutMs: 60_000,
      });
      const events = received.get(caseId)!;
      expect(events.map((e) => [e.type, e.streamversion])).toEqual([
        ['casegrid.intake.CaseRegistered.v1', 1],
        ['casegrid.intake.CaseDispatched.v1', 2],
        ['casegrid.intake.CaseAccepted.v1', 3],
      ]);
      expect(events.every((e) => e.source === '/casegrid/intake')).toBe(true);
      expect(events[1]!.data).toMatchObject({
        by: 'rule',
        explanation: expect.stringContaining('370102001001') as string,
      });
    } finally {
      await subscription.close();
    }
  });
});
