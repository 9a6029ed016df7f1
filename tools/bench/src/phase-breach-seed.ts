import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { inTransaction, quoteSchema } from '@casegrid/event-store';
import {
  fire,
  observe,
  type CaseEvent,
  type ClockContext,
  type LedgerCase,
  type Settled,
  type TickContext,
} from '@casegrid/supervision';
import type { BreachSeedSpec, PhaseResult } from './phase-spec';
import { BENCH_DEPARTMENTS, openSupervisionBench, seedReference } from './supervision-runtime';

/** Cases are dispatched over one working day: Monday 2025-11-17, 09:00–17:00 China time. */
const FIRST_DISPATCH = Date.parse('2025-11-17T09:00:00+08:00');
const DISPATCH_SPREAD_MS = 8 * 3_600_000;
/** When the scheduler would have fired the warnings (黄灯): after every 20:00 warning of Tuesday. */
const WARNED_AT = new Date('2025-11-18T21:00:00+08:00');
const WRITERS = 4;

const intake = (caseId: string, type: string, at: Date, version: number, data: object) =>
  ({
    id: randomUUID(),
    type,
    service: 'intake',
    time: at.toISOString(),
    actor: 'u-intake-clerk',
    streamVersion: version,
    data: { caseId, ...data },
  }) satisfies CaseEvent;

/**
 * A case's history as supervision lives it: intake registers it (one in five a petition),
 * dispatches it to a village committee with a police station as co-handler (the accept
 * clocks of both start, and a petition's objection clock), and the scheduler warns on
 * Tuesday evening. Each step is the real domain function, recorded through `LedgerStore`
 * in one transaction under the case's lock, as the consumer and the scheduler do.
 */
const seedCase = async (
  bench: Awaited<ReturnType<typeof openSupervisionBench>>,
  ctx: ClockContext & TickContext,
  index: number,
  cases: number,
): Promise<LedgerCase> => {
  const caseId = randomUUID();
  const dispatchedAt = new Date(FIRST_DISPATCH + Math.floor((index * DISPATCH_SPREAD_MS) / cases));
  const registeredAt = new Date(dispatchedAt.getTime() - 20 * 60_000);
  const petition = index % 5 === 4;
  const registered = intake(caseId, 'CaseRegistered', registeredAt, 1, {
    number: `2025-370102-${String(index + 1).padStart(6, '0')}`,
    kind: petition ? 'petition' : 'dispute',
    channel: petition ? 'letter' : 'window',
    title: petition ? '反映征地补偿标准' : '邻里漏水纠纷',
    category: petition ? 'land' : 'neighbour',
    regionCode: BENCH_DEPARTMENTS.committee.regionCode,
    urgency: 'normal',
    severity: 'minor',
    receivedAt: registeredAt.toISOString(),
  });
  const dispatched = intake(caseId, 'CaseDispatched', dispatchedAt, 2, {
    leadDepartmentId: BENCH_DEPARTMENTS.committee.id,
    coDepartmentIds: [BENCH_DEPARTMENTS.police.id],
    by: 'manual',
  });
  return inTransaction(bench.runtime.db.pool, async (tx) => {
    await bench.ledger.lock(tx, caseId);
    let state: LedgerCase | null = null;
    const record = async (settled: Settled | null, now: Date): Promise<void> => {
      if (settled === null) throw new Error(`the ledger ignored an event of ${caseId}`);
      const version = await bench.ledger.record(tx, state, settled, {
        actor: 'system:supervision',
        correlationId: randomUUID(),
        now,
      });
      state = { ...settled.state, version };
    };
    await record(observe(state, registered, registeredAt, ctx), registeredAt);
    await record(observe(state, dispatched, dispatchedAt, ctx), dispatchedAt);
    await record(fire(state!, WARNED_AT, ctx), WARNED_AT);
    return state!;
  });
};

export const runBreachSeed = async (spec: BreachSeedSpec): Promise<PhaseResult> => {
  const began = performance.now();
  const bench = await openSupervisionBench(spec.url, spec.schema, WRITERS + 1);
  try {
    await seedReference(bench);
    const ctx = await bench.context.get();
    const fireAt = new Date(spec.fireAt).toISOString();
    let next = 0;
    let dueClocks = 0;
    const writer = async (): Promise<void> => {
      for (let i = next++; i < spec.cases; i = next++) {
        const state = await seedCase(bench, ctx, i, spec.cases);
        dueClocks += state.deadlines.filter(
          (c) => c.state === 'running' && c.dueAt <= fireAt,
        ).length;
      }
    };
    await Promise.all(Array.from({ length: WRITERS }, writer));
    const s = quoteSchema(spec.schema);
    const { rows } = await bench.runtime.db.pool.query<{ n: string }>(
      `select count(*) as n from ${s}.events`,
    );
    // As on a long-lived service: hint bits set and statistics fresh before the round.
    await bench.runtime.db.pool.query(
      `vacuum (analyze) ${s}.events, ${s}.outbox, ${s}.streams, ${s}.ledger, ${s}.case_timers`,
    );
    return {
      kind: 'breach-seed',
      cases: spec.cases,
      dueClocks,
      events: Number(rows[0]!.n),
      seconds: (performance.now() - began) / 1000,
    };
  } finally {
    await bench.close();
  }
};
