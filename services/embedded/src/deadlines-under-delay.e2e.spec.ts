import request from 'supertest';
import { serviceRuntime, type ServiceRuntime } from '@casegrid/runtime';
import { DeadlineScheduler } from '@casegrid/service-supervision';
import {
  heldTransaction,
  startMockKafka,
  TEST_TOPICS,
  waitUntil,
  type MockKafka,
} from '@casegrid/testing';
import { startTestCasegrid, type TestCasegrid } from './testing/test-casegrid';
import { SupervisionDriver } from './testing/supervision-scenarios';

/**
 * Never a false breach (the issue "Deadlines under delay"): an acceptance committed before
 * its clock's due time that reaches supervision only after it — held back by a transaction
 * left open in the database, by the relay being stopped, by the broker being down — meets
 * the clock on time; nothing is breached, escalated or noticed meanwhile, and the stall is
 * visible (a readiness warning naming the producer, a metric).
 */
/**
 * A week for a scenario: registered on a Wednesday, the accept clock due at 24:00 on the
 * Thursday (China time). Each scenario of a suite takes a later week: business time only
 * moves on, as it does outside specs.
 */
interface Week {
  readonly wednesday: string;
  readonly thursday: string;
  readonly friday: string;
}
const WEEKS: readonly Week[] = [
  { wednesday: '2025-09-24', thursday: '2025-09-25', friday: '2025-09-26' },
  { wednesday: '2025-11-05', thursday: '2025-11-06', friday: '2025-11-07' },
];
/** 24:00 on the Thursday, China time: 16:00 UTC that day. */
const dueOf = (week: Week): string => `${week.thursday}T16:00:00.000Z`;

interface Scenario {
  readonly casegrid: TestCasegrid;
  readonly drive: SupervisionDriver;
}

const supervisionEvents = async (casegrid: TestCasegrid, caseId: string) => {
  const runtime = casegrid.app.get<ServiceRuntime>(serviceRuntime('supervision'));
  const { rows } = await runtime.db.pool.query<{ event_type: string; data: { late?: boolean } }>(
    'select event_type, data from supervision.events where stream_id = $1 order by stream_position',
    [caseId],
  );
  return rows;
};

/**
 * Registers a case, lets `delay` hold the lead's acceptance back from supervision while
 * business time runs past the due time, checks nothing fires, then lets it go.
 */
const acceptedJustInTime = async (
  { casegrid, drive }: Scenario,
  week: Week,
  delay: { hold(): Promise<void>; release(): Promise<void> },
): Promise<void> => {
  const scheduler = casegrid.app.get(DeadlineScheduler);
  drive.travelTo(`${week.wednesday}T10:00:00+08:00`);
  const caseId = await drive.register();
  await drive.ledger(caseId, (v) => v.deadlines.length >= 2, 'the accept clocks');
  await scheduler.stop(); // rounds driven by hand below

  await delay.hold();
  drive.travelTo(`${week.thursday}T23:30:00+08:00`); // half an hour before the due time
  const mediator = await drive.as('mediator.shanda');
  await mediator.post(`/api/v1/cases/${caseId}/accept`).send({ track: 'mediation' }).expect(200);
  drive.travelTo(`${week.friday}T09:00:00+08:00`); // nine hours past it

  // The scheduler sees the clock due, but intake has not said it published everything
  // it committed before the due time: nothing fires, however often it looks.
  for (let round = 0; round < 3; round += 1) {
    const run = await scheduler.runDue();
    expect(run.failed).toBe(0);
  }
  expect((await supervisionEvents(casegrid, caseId)).map((e) => e.event_type)).not.toContain(
    'DeadlineBreached',
  );
  // (Ready or not — the broker may be what is away — the warning says who holds firing.)
  const ready = await request(casegrid.url).get('/health/ready');
  expect((ready.body as { warnings?: Record<string, string> }).warnings?.['watermarks']).toMatch(
    /deadlines wait for .*intake/,
  );
  const metrics = await request(casegrid.url).get('/metrics').expect(200);
  expect(metrics.text).toMatch(/casegrid_watermark_lag_seconds\{producer="intake"\} [1-9]/);

  await delay.release();
  const met = await drive.ledger(
    caseId,
    (v) => v.deadlines.filter((d) => d.obligation === 'accept').every((d) => d.state === 'met'),
    'the accept clocks met',
  );
  await waitUntil(
    async () => {
      await scheduler.runDue();
      const { rows } = await casegrid.app
        .get<ServiceRuntime>(serviceRuntime('supervision'))
        .db.pool.query<{ n: string }>(
          `select count(*) as n from supervision.watermarks w
           where w.processor = 'supervision.case-events' and w.producer = 'intake' and w.at >= $1`,
          [dueOf(week)],
        );
      return Number(rows[0]!.n) > 0;
    },
    { what: 'intake’s watermark past the due time', timeoutMs: 30_000 },
  );
  scheduler.start();
  const events = await supervisionEvents(casegrid, caseId);
  const types = events.map((e) => e.event_type);
  expect(types).not.toContain('DeadlineBreached');
  expect(types).not.toContain('SupervisionEscalated');
  expect(types).not.toContain('NoticeIssued');
  const metEvents = events.filter((e) => e.event_type === 'DeadlineMet');
  expect(metEvents.length).toBeGreaterThanOrEqual(2);
  expect(metEvents.every((e) => e.data.late === false)).toBe(true);
  expect(met.light).toBe('green');
  expect(met.supervisionLevel).toBe('none');
};

describe('deadlines under delay, on the in-process transport', () => {
  const scenario = {} as { casegrid: TestCasegrid; drive: SupervisionDriver };
  beforeAll(async () => {
    scenario.casegrid = await startTestCasegrid('deadline_delay');
    scenario.drive = new SupervisionDriver(scenario.casegrid);
  });
  afterAll(async () => {
    await scenario.casegrid?.stop();
  });

  it('meets a clock on time when a transaction left open in the database held its meeting event back', async () => {
    // Any transaction with an id in intake's database holds its horizon: intake's relay
    // cannot read past it (one in another database of the server does not).
    await acceptedJustInTime(
      scenario,
      WEEKS[0]!,
      heldTransaction(scenario.casegrid.config.database.url!),
    );
  });

  it('meets a clock on time when intake’s relay was stopped across the due time', async () => {
    const relay = scenario.casegrid.app.get<ServiceRuntime>(serviceRuntime('intake')).relay;
    await acceptedJustInTime(scenario, WEEKS[1]!, {
      hold: () => relay.stop(),
      release: async () => relay.start(),
    });
  });
});

describe('deadlines under delay, on Kafka', () => {
  const scenario = {} as { casegrid: TestCasegrid; drive: SupervisionDriver };
  let broker: MockKafka;
  beforeAll(async () => {
    // The broker goes down: a broker of this suite's own, never the run's shared one.
    broker = await startMockKafka({ brokers: 1, topics: [...TEST_TOPICS] });
    scenario.casegrid = await startTestCasegrid('deadline_delay_kafka', {
      KAFKA_BROKERS: broker.bootstrap.join(','),
    });
    scenario.drive = new SupervisionDriver(scenario.casegrid);
  });
  afterAll(async () => {
    await scenario.casegrid?.stop();
    await broker?.stop();
  });

  it('meets a clock on time when the broker was down across the due time', async () => {
    await acceptedJustInTime(scenario, WEEKS[0]!, {
      hold: () => broker.control.brokerDown(-1),
      release: () => broker.control.brokerUp(-1),
    });
  }, 240_000);
});
