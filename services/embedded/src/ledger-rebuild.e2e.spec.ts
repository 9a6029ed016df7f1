import type { Pool } from 'pg';
import { AuditStoreSource, LedgerRebuild } from '@casegrid/service-supervision';
import { waitUntil } from '@casegrid/testing';
import { AuditProbe } from './testing/audit-probe';
import { SupervisionDriver } from './testing/supervision-scenarios';
import { startTestCasegrid, type TestCasegrid } from './testing/test-casegrid';

const JIEFANG_COMMITTEE = '0193a000-0000-7000-8000-000000000037';
/**
 * 400 cases in `npm test`, to keep CI within its budget; `REBUILD_CASES=2000` (~32,000
 * events) is the "few thousand": on this 2-core machine 67 s to drive, 286 s for
 * the live pipeline to settle, 7.6 s to rebuild, equal to the live ledger (6 min in all).
 */
const CASES = Number(process.env['REBUILD_CASES'] ?? 400);
const CONCURRENCY = 8;
/** Past every accept deadline of the workload (registered on Wednesday 2025-09-24). */
const SETTLE_AT = '2025-09-26T00:00:01+08:00';

const SERVICES = ['intake', 'mediation', 'petition', 'supervision', 'audit'] as const;

/**
 * The ledger rebuilt from the log (issue 8): after a mixed workload on the embedded
 * default — registrations, accepts on two tracks, transfers, escalations, and breaches
 * fired by the scheduler — folding audit's copy of every case's canonical stream into
 * fresh tables and swapping them in gives, row for row, the ledger the live consumer
 * built event by event.
 */
describe('the ledger rebuilt from the log', () => {
  let casegrid: TestCasegrid;
  let drive: SupervisionDriver;
  let probe: AuditProbe;
  let pool: Pool;

  beforeAll(async () => {
    casegrid = await startTestCasegrid('ledger_rebuild', { SUPERVISION_POLL_MS: '50' });
    drive = new SupervisionDriver(casegrid);
    probe = new AuditProbe(casegrid);
    pool = probe.runtime('supervision').db.pool;
  });
  afterAll(async () => {
    await casegrid?.stop();
  });

  const count = async (sql: string): Promise<number> =>
    Number((await pool.query<{ n: string }>(sql)).rows[0]!.n);

  /** Nothing in flight anywhere: outboxes empty, audit and supervision have every event. */
  let lastSeen = '';
  const quiet = async (): Promise<boolean> => {
    for (const service of SERVICES) {
      const backlog = await count(`select count(*) as n from ${service}.outbox`);
      lastSeen = `${service} outbox ${backlog}`;
      if (backlog > 0) return false;
    }
    const logged = await count(
      `select count(distinct headers->>'ce_id') as n from transport.log where topic = 'casegrid.case-events'`,
    );
    const audited = await count('select count(*) as n from audit.case_events');
    const folded = await count(
      `select count(*) as n from supervision.inbox where consumer = 'supervision.case-events'`,
    );
    // A clock fires only once the producers' watermarks pass its due time, so a quiet log
    // is not yet a settled one: every timer due by business time must have fired too.
    const due = await count(
      `select count(*) as n from supervision.case_timers where fire_at <= '${SETTLE_AT}'`,
    );
    lastSeen = `logged ${logged}, audited ${audited}, folded by supervision ${folded}, due ${due}`;
    return logged === audited && audited === folded && due === 0;
  };

  const snapshot = async () => ({
    // Every column but the write time: the view's, the statistics', the state.
    ledger: (await pool.query('select * from supervision.ledger order by case_id')).rows.map(
      ({ updated_at: _, ...row }: Record<string, unknown>) => row,
    ),
    timers: (await pool.query('select * from supervision.case_timers order by case_id')).rows,
    notices: (await pool.query('select * from supervision.notices order by notice_id')).rows,
  });

  it(`equals the live ledger after a mixed workload of ${CASES} cases`, async () => {
    const started = Date.now();
    drive.travelTo('2025-09-24T10:00:00+08:00'); // a Wednesday
    const shanda = await drive.as('mediator.shanda');
    const jiefang = await drive.as('mediator.jiefang');
    const dispatcher = await drive.as('dispatcher.jiefang');
    const one = async (i: number) => {
      const id = await drive.register();
      switch (i % 4) {
        case 1:
          await shanda.post(`/api/v1/cases/${id}/accept`).send({ track: 'mediation' }).expect(200);
          break;
        case 2:
          await dispatcher
            .post(`/api/v1/cases/${id}/transfer`)
            .send({ toDepartmentId: JIEFANG_COMMITTEE, reason: '宜由街道调委会调解' })
            .expect(200);
          await jiefang.post(`/api/v1/cases/${id}/accept`).send({ track: 'direct' }).expect(200);
          break;
        case 3:
          await shanda.post(`/api/v1/cases/${id}/accept`).send({ track: 'mediation' }).expect(200);
          await shanda
            .post(`/api/v1/cases/${id}/escalate`)
            .send({ reason: '需街道协调' })
            .expect(200);
          break;
        default:
          break; // left unaccepted: its accept clocks breach
      }
    };
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < CASES) await one(next++);
      }),
    );
    const driven = Date.now();
    // Past every accept deadline: the scheduler fires warnings, breaches and escalations.
    drive.travelTo(SETTLE_AT);
    await waitUntil(async () => (await quiet()) && (await quiet()), {
      what: 'the workload settled',
      timeoutMs: Number(process.env['REBUILD_SETTLE_MS'] ?? 600_000),
      intervalMs: 200,
    }).catch((error: Error) => {
      throw new Error(`${error.message}; last seen: ${lastSeen}`);
    });
    const settled = Date.now();
    const live = await snapshot();
    expect(live.ledger).toHaveLength(CASES);
    expect(live.ledger.filter((r) => r.light === 'red').length).toBeGreaterThan(CASES / 4);
    expect(live.notices.length).toBe(0);

    const report = await new LedgerRebuild(pool, 'supervision', new AuditStoreSource(pool)).run();
    const rebuilt = await snapshot();
    expect(report).toMatchObject({ cases: CASES, caughtUp: 0 });
    expect(rebuilt.ledger).toEqual(live.ledger);
    expect(rebuilt.timers).toEqual(live.timers);
    expect(rebuilt.notices).toEqual(live.notices);
    process.stdout.write(
      `ledger rebuild: ${CASES} cases driven in ${driven - started} ms, settled in ${settled - driven} ms; ` +
        `${report.events} events rebuilt in ${report.ms} ms\n`,
    );
    // The swapped-in ledger is the live one: the API reads it and the consumer writes it.
    drive.travelTo('2025-09-26T09:00:00+08:00');
    const id = await drive.register();
    await drive.ledger(id, (v) => v.status === 'dispatched', 'a new case on the rebuilt ledger');
  }, 900_000);
});
