import {
  AuditStoreSource,
  TopicSource,
  type CanonicalSource,
  type RebuildReport,
} from '@casegrid/service-supervision';
import { waitUntil } from '@casegrid/testing';
import { LedgerPipeline } from './testing/ledger-pipeline';

const SWAPS = 12;
/** Cases published per step, and at most. */
const CHUNK = 4;
const MAX_CASES = 2_000;
/**
 * How far behind the producer lets the consumers fall: the live one a little, so that it is
 * always at work; audit further, so that the producer rarely waits for it (a rebuild from
 * audit waits for audit to hold what the live consumer applied).
 */
const BACKLOG = { ledger: 40, audit: 400 };
const TRAVEL_AT = CHUNK * 12;

const SOURCES: { name: string; of: (pipeline: LedgerPipeline) => CanonicalSource }[] = [
  // audit's store, in the same database (the embedded default, npm run replay)
  { name: 'audit', of: (p) => new AuditStoreSource(p.pool, p.schemas.audit) },
  // the topic from offset zero, on the in-process transport: supervision's own reach
  { name: 'topic', of: (p) => new TopicSource(p.transport) },
];

/**
 * The ledger rebuild swapped in again and again while the live writers run (issue 16): the
 * consumer applying intake's events and the echoes of supervision's own, and the scheduler
 * firing breaches and escalations, on real PostgreSQL. No swap and no writer fails (a
 * deadlock, 40P01, would be one of them), and once all is applied the ledger the swaps
 * left behind equals a fold of the whole log from scratch. For each source a rebuild can
 * read: audit's store, and the topic itself (issue 16, 3).
 */
describe.each(SOURCES)('the ledger rebuild from the $name source under live writers', (from) => {
  let pipeline: LedgerPipeline;

  beforeAll(async () => {
    pipeline = await LedgerPipeline.open(`rebuild_${from.name}`);
  });
  afterAll(async () => {
    await pipeline?.close();
  });

  it('leaves to the live consumer what it has not applied yet, though the log holds it', async () => {
    const source = from.of(pipeline);
    const events = pipeline.caseEvents(9_999).slice(0, 2); // registered, dispatched
    const caseId = events[0]!.subject;
    await pipeline.publish(events);
    await waitUntil(() => pipeline.quiet(), { what: 'the case applied', timeoutMs: 30_000 });

    // audit records a repeat submission (it counts +1 when folded) that the live consumer,
    // paused, has not applied: the rebuild must leave it to the consumer.
    await pipeline.pauseLedger();
    await pipeline.publish([pipeline.intakeEvent(caseId, 3, 'RepeatSubmissionRecorded')]);
    await waitUntil(async () => (await pipeline.audited()) === (await pipeline.logged()), {
      what: 'audit holding the repeat',
      timeoutMs: 30_000,
    });
    await pipeline.rebuild(source);
    await pipeline.resumeLedger();
    await waitUntil(() => pipeline.quiet(), { what: 'the repeat applied', timeoutMs: 30_000 });

    const submissions = async () =>
      (
        await pipeline.pool.query<{ submission_count: number }>(
          `select submission_count from "${pipeline.schemas.supervision}".ledger where case_id = $1`,
          [caseId],
        )
      ).rows[0]?.submission_count;
    expect(await submissions()).toBe(2);
    await pipeline.rebuild(source);
    expect(await submissions()).toBe(2);
    expect(pipeline.errors).toEqual([]);
  });

  it(`swaps ${SWAPS} times while the consumer and the scheduler write, and ends equal to a fold from scratch`, async () => {
    const source = from.of(pipeline);
    const earlier = (await pipeline.snapshot()).ledger.length;
    const reports: RebuildReport[] = [];
    let rebuilding = true;
    let overlapped = 0; // rebuilds during which the live consumer applied events
    let cases = 0;

    const swaps = async () => {
      try {
        for (let i = 0; i < SWAPS; i += 1) {
          const before = await pipeline.applied();
          reports.push(await pipeline.rebuild(source));
          if ((await pipeline.applied()) > before) overlapped += 1;
        }
      } finally {
        rebuilding = false;
      }
    };
    const produce = async () => {
      while (rebuilding && cases < MAX_CASES) {
        const events = Array.from({ length: CHUNK }, () => pipeline.caseEvents(cases++)).flat();
        await pipeline.publish(events);
        // Past every accept deadline of the cases so far: the scheduler has breaches and
        // escalations to fire from then on.
        if (cases === TRAVEL_AT) pipeline.clock.travelTo(new Date('2025-11-19T09:00:00+08:00'));
        const caughtUp = async () => {
          const backlog = await pipeline.backlog();
          return backlog.ledger <= BACKLOG.ledger && backlog.audit <= BACKLOG.audit;
        };
        await waitUntil(async () => !rebuilding || (await caughtUp()), {
          what: 'the consumers keeping up',
          timeoutMs: 30_000,
          intervalMs: 10,
        });
      }
    };
    const fire = async () => {
      while (rebuilding) await pipeline.scheduler.runDue();
    };
    await Promise.all([swaps(), produce(), fire()]);

    await waitUntil(async () => (await pipeline.quiet()) && (await pipeline.quiet()), {
      what: 'everything applied',
      timeoutMs: 60_000,
      intervalMs: 50,
    });
    await pipeline.scheduler.runDue();
    await waitUntil(async () => (await pipeline.quiet()) && (await pipeline.quiet()), {
      what: 'the last firings applied',
      timeoutMs: 60_000,
      intervalMs: 50,
    });

    expect(pipeline.errors).toEqual([]);
    expect(reports).toHaveLength(SWAPS);
    expect(overlapped).toBeGreaterThan(SWAPS / 2);
    const live = await pipeline.snapshot();
    expect(live.ledger).toHaveLength(earlier + cases);
    expect(live.ledger.filter((r) => r.light === 'red').length).toBeGreaterThan(0);
    const fromScratch = await pipeline.rebuild(from.of(pipeline));
    expect(fromScratch).toMatchObject({ cases: earlier + cases, caughtUp: 0 });
    const rebuilt = await pipeline.snapshot();
    expect(rebuilt.ledger).toEqual(live.ledger);
    expect(rebuilt.timers).toEqual(live.timers);
    expect(rebuilt.notices).toEqual(live.notices);
  }, 300_000);
});
