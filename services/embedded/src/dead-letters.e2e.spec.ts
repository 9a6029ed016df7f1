import { CASE_EVENTS_TOPIC, ceType } from '@casegrid/contracts';
import { uuidv7 } from '@casegrid/kernel';
import type { Transport } from '@casegrid/messaging';
import { TRANSPORT } from '@casegrid/runtime';
import { waitUntil } from '@casegrid/testing';
import { DEMO_USER_PASSWORD } from '@casegrid/service-intake';
import { dlqClient } from '@casegrid/runtime';
import { startTestCasegrid, type TestCasegrid } from './testing/test-casegrid';
import { DEPARTMENTS, SupervisionDriver } from './testing/supervision-scenarios';

/**
 * A case whose event cannot be read (a producer's bug) is parked in every group that
 * takes it, and the case's later events wait behind it while other cases flow on; the
 * operator sees it (`npm run dlq -- list | show`) and releases it (`replay --skip`).
 */
describe('parked events, per case', () => {
  let casegrid: TestCasegrid;
  let drive: SupervisionDriver;

  beforeAll(async () => {
    casegrid = await startTestCasegrid('dead_letters');
    drive = new SupervisionDriver(casegrid);
  });
  afterAll(async () => {
    await casegrid?.stop();
  });

  it('holds a case behind an unreadable event, shows it, and lets it flow again when skipped', async () => {
    const caseId = await drive.register();
    const other = await drive.register();
    await drive.ledger(caseId, (v) => v.status === 'dispatched', 'the case on the ledger');

    // An event of the case no consumer can read (its envelope lacks ce_source).
    const unreadable = uuidv7();
    await casegrid.app.get<Transport>(TRANSPORT).publish([
      {
        topic: CASE_EVENTS_TOPIC,
        key: caseId,
        headers: {
          ce_specversion: '1.0',
          ce_id: unreadable,
          ce_type: ceType('intake', 'CaseAccepted', 1),
        },
        value: '{not json',
      },
    ]);
    // The case's next event waits behind it; the other case's is applied.
    const handler = await drive.as('mediator.shanda');
    for (const id of [caseId, other]) {
      await handler.post(`/api/v1/cases/${id}/accept`).send({ track: 'direct' }).expect(200);
    }
    await drive.ledger(other, (v) => v.status === 'accepted', 'the other case accepted');

    const dlq = await dlqClient({
      CASEGRID_URL: casegrid.url,
      CASEGRID_ADMIN_PASSWORD: DEMO_USER_PASSWORD,
    });
    await waitUntil(
      async () => {
        const listed = (await dlq.list(['supervision'])) as {
          supervision?: { group: string; cases: { caseId: string; events: number }[] }[];
        };
        return (
          listed.supervision?.some((g) =>
            g.cases.some((c) => c.caseId === caseId && c.events >= 2),
          ) ?? false
        );
      },
      { what: 'the case parked with its held event', timeoutMs: 30_000 },
    );
    expect((await drive.ledger(caseId, () => true, 'the case')).status).toBe('dispatched');
    const shown = (await dlq.show(['supervision'], caseId)) as {
      supervision: {
        group: string;
        events: { reason: string; eventId: string; error: string | null }[];
      }[];
    };
    // The unreadable one first, then what came after it (the acceptance, and any echo of
    // supervision's own events for the case), all held.
    const [group] = shown.supervision;
    expect(group?.group).toBe('supervision.case-events');
    const [failed, ...held] = group!.events;
    expect(failed).toEqual(
      expect.objectContaining({
        reason: 'failed',
        eventId: unreadable,
        error: expect.stringContaining('ce_source'),
      }),
    );
    expect(held.length).toBeGreaterThanOrEqual(1);
    expect(held.every((e) => e.reason === 'held' && e.error === null)).toBe(true);

    // Replaying it as it is fails again and changes nothing.
    await expect(dlq.replay(['supervision'], caseId)).rejects.toThrow(/409.*still fails/);
    // Skipping the unreadable one releases the case: its acceptance reaches the ledger.
    expect(await dlq.replay(['supervision', 'audit'], caseId, unreadable)).toEqual({
      supervision: [{ group: 'supervision.case-events', replayed: expect.any(Number), skipped: 1 }],
      audit: [{ group: 'audit.case-events', replayed: expect.any(Number), skipped: 1 }],
    });
    await drive.ledger(
      caseId,
      (v) => v.status === 'accepted',
      'the case accepted after the replay',
    );
    const after = (await dlq.list(['supervision', 'audit'])) as Record<
      string,
      { group: string; cases: unknown[] }[]
    >;
    // Each service's groups (its reference replica's too), none holding anything now.
    expect(
      Object.values(after)
        .flat()
        .map((g) => g.cases),
    ).toEqual([[], [], [], []]);
    // The case flows again: its next event is applied at once.
    await handler
      .post(`/api/v1/cases/${caseId}/escalate`)
      .send({ reason: '需街道协调' })
      .expect(200);
    await drive.ledger(
      caseId,
      (v) => v.leadDepartmentId !== DEPARTMENTS.shandaMediation,
      'the escalation on the ledger',
    );
  });

  it('is for admins only', async () => {
    const supervisor = await drive.as('supervisor.lixia');
    await supervisor.get('/api/v1/admin/dead-letters/supervision').expect(403);
    const admin = await drive.as('admin');
    await admin.get('/api/v1/admin/dead-letters/nowhere').expect(404);
  });
});
