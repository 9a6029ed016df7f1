import { performance } from 'node:perf_hooks';
import { waitUntil } from '@casegrid/testing';
import type { Checker, Verdict } from './checks';
import type { Fault, FaultTargets } from './faults';
import type { Load } from './load';

export interface RunOptions {
  /** Acknowledged commands to wait for before the fault, and again after the recovery. */
  readonly ackedBefore: number;
  readonly ackedAfter: number;
  /** How long the system may take to answer ready and write again after the fault. */
  readonly recoveryTimeoutMs: number;
  /** How long the consumers may go without progress once the load stopped. */
  readonly settleTimeoutMs: number;
  readonly log: (line: string) => void;
}

/** One injection of one fault, and what the checks found after it. */
export interface RunResult {
  readonly fault: string;
  readonly run: number;
  readonly detail: string;
  /** From the fault's end to `/health/ready` 200, to the first 2xx write, and to both. */
  readonly readyMs: number | undefined;
  readonly writeMs: number | undefined;
  readonly recoveryMs: number | undefined;
  /** From the fault's end until that first write is on the ledger and in audit. */
  readonly visibleMs: number | undefined;
  /**
   * From the fault's end until every acknowledged command had reached every consumer (the
   * load having gone on meanwhile, then drained); undefined when it never did.
   */
  readonly caughtUpMs: number | undefined;
  /** The fault's own figure (`Fault.measures`), if it has one. */
  readonly measuredMs: number | undefined;
  /** Commands acknowledged during this run. */
  readonly acked: number;
  /** The checks over everything the system holds, after this run. */
  readonly verdict: Verdict;
  /** Problems that appeared with this run (not found after the previous one). */
  readonly fresh: Problems;
  readonly refusals: string[];
  readonly unanswered: string[];
  /** Milliseconds each phase of the run took: warm-up, fault, recovery, load after, drain, checks. */
  readonly phasesMs: Readonly<Record<string, number>>;
  readonly error?: string;
}

export interface Problems {
  readonly missing: string[];
  readonly duplicated: string[];
  readonly orderViolations: string[];
  readonly invalidChains: string[];
  readonly falseBreaches: string[];
}

const PROBLEM_KINDS = [
  'missing',
  'duplicated',
  'orderViolations',
  'invalidChains',
  'falseBreaches',
] as const;

/**
 * Runs faults against one system under its steady load: per run the load warms up, the
 * fault is injected, the time to recover is measured (ready, and a write of its own), the
 * load goes on a while, stops with every client's command in hand answered, the consumers
 * catch up, and every invariant is checked over all the system holds.
 */
export class FaultRunner {
  private readonly reported: Record<(typeof PROBLEM_KINDS)[number], Set<string>> = {
    missing: new Set(),
    duplicated: new Set(),
    orderViolations: new Set(),
    invalidChains: new Set(),
    falseBreaches: new Set(),
  };
  private refusalsSeen = 0;
  private unansweredSeen = 0;

  constructor(
    private readonly targets: FaultTargets,
    private readonly load: Load,
    private readonly checker: Checker,
    private readonly options: RunOptions,
  ) {}

  async run(fault: Fault, run: number): Promise<RunResult> {
    const { load, options } = this;
    const ackedAtStart = load.acks.length;
    let detail = '';
    let readyMs: number | undefined;
    let writeMs: number | undefined;
    let visibleMs: number | undefined;
    let end: number | undefined;
    let caughtUpMs: number | undefined;
    let measuredMs: number | undefined;
    let error: string | undefined;
    const phasesMs: Record<string, number> = {};
    let mark = performance.now();
    const phase = (name: string): void => {
      const now = performance.now();
      phasesMs[name] = Math.round(now - mark);
      mark = now;
    };
    load.start();
    try {
      await this.ackedAtLeast(ackedAtStart + options.ackedBefore, 'the load before the fault');
      phase('warm-up');
      const injected = await fault.inject(this.targets, run, {
        writeVisible: (label) => this.writeVisible(`${fault.id}-${label}`),
      });
      detail = typeof injected === 'string' ? injected : injected.detail;
      measuredMs = typeof injected === 'string' ? undefined : injected.measuredMs;
      phase('fault');
      end = performance.now();
      const from = end;
      const since = (): number => performance.now() - from;
      const until = Date.now() + options.recoveryTimeoutMs;
      let probe: string | undefined;
      [readyMs, writeMs] = await Promise.all([
        waitUntil(() => this.targets.system.ready(), {
          what: 'ready again',
          timeoutMs: options.recoveryTimeoutMs,
          intervalMs: 50,
        }).then(since, () => undefined),
        load.register(`probe-${fault.id}-${run}`, until).then((ack) => {
          probe = ack?.caseId;
          return ack ? since() : undefined;
        }),
      ]);
      phase('recovery');
      if (readyMs === undefined || writeMs === undefined || probe === undefined)
        throw new Error('did not recover in time');
      const caseId = probe;
      visibleMs = await waitUntil(() => this.checker.visible(caseId).catch(() => false), {
        what: 'the first write on the ledger and in audit',
        timeoutMs: Math.max(1_000, until - Date.now()),
        intervalMs: 50,
      }).then(since);
      phase('visible');
      await this.ackedAtLeast(load.acks.length + options.ackedAfter, 'the load after the fault');
      phase('load after');
    } catch (caught) {
      error = caught instanceof Error ? caught.message : String(caught);
    }
    await load.stop();
    phase('drain');
    const verdict = await this.checker.settle(load.acks, options.settleTimeoutMs, (settledAt) => {
      caughtUpMs = end === undefined ? undefined : settledAt - end;
    });
    phase('checks');
    const fresh = Object.fromEntries(
      PROBLEM_KINDS.map((kind) => {
        const found = verdict[kind].filter((p) => !this.reported[kind].has(p));
        for (const p of found) this.reported[kind].add(p);
        return [kind, found];
      }),
    ) as unknown as Problems;
    const refusals = load.refusals
      .slice(this.refusalsSeen)
      .map((r) => `${r.kind} ${r.key}: ${r.status} ${r.body}`);
    const unanswered = load.unanswered
      .slice(this.unansweredSeen)
      .map((u) => `${u.kind} ${u.key}: last ${u.status}`);
    this.refusalsSeen = load.refusals.length;
    this.unansweredSeen = load.unanswered.length;
    const result: RunResult = {
      fault: fault.id,
      run,
      detail,
      readyMs,
      writeMs,
      recoveryMs:
        readyMs === undefined || writeMs === undefined ? undefined : Math.max(readyMs, writeMs),
      visibleMs,
      caughtUpMs,
      measuredMs,
      acked: load.acks.length - ackedAtStart,
      verdict,
      fresh,
      refusals,
      unanswered,
      phasesMs,
      ...(error ? { error } : {}),
    };
    options.log(describeRun(result));
    return result;
  }

  /** A registration of the runner's own, resolved once it is on the ledger and in audit. */
  private async writeVisible(label: string): Promise<void> {
    const until = Date.now() + this.options.recoveryTimeoutMs;
    const ack = await this.load.register(`probe-${label}`, until);
    if (!ack) throw new Error(`the registration ${label} was not answered in time`);
    await waitUntil(() => this.checker.visible(ack.caseId).catch(() => false), {
      what: `the registration ${label} on the ledger and in audit`,
      timeoutMs: Math.max(1_000, until - Date.now()),
      intervalMs: 50,
    });
  }

  private ackedAtLeast(count: number, what: string): Promise<void> {
    return waitUntil(() => this.load.acks.length >= count, {
      what,
      timeoutMs: this.options.recoveryTimeoutMs,
      intervalMs: 20,
    });
  }
}

const ms = (value: number | undefined): string =>
  value === undefined ? '—' : `${(value / 1000).toFixed(2)} s`;

export const describeRun = (r: RunResult): string => {
  const problems = PROBLEM_KINDS.flatMap((kind) => r.fresh[kind].map((p) => `  ${kind}: ${p}`));
  const extra = [
    ...r.refusals.map((p) => `  refused: ${p}`),
    ...r.unanswered.map((p) => `  unanswered: ${p}`),
    ...(r.error ? [`  error: ${r.error}`] : []),
  ];
  return [
    `${r.fault} #${r.run}: ${r.detail}; ready ${ms(r.readyMs)}, write ${ms(r.writeMs)}, ` +
      `visible ${ms(r.visibleMs)}, caught up ${ms(r.caughtUpMs)}; ` +
      `${r.acked} acked; ${r.verdict.cases} cases, chains ${r.verdict.chainsValid}/${r.verdict.chainsChecked}; ` +
      `in all: ${r.verdict.missing.length} missing, ${r.verdict.duplicated.length} duplicated, ` +
      `${r.verdict.orderViolations.length} out of order, ${r.verdict.falseBreaches.length} false breaches; ` +
      Object.entries(r.phasesMs)
        .map(([name, took]) => `${name} ${ms(took)}`)
        .join(', '),
    ...problems.slice(0, 20),
    ...(problems.length > 20 ? [`  … ${problems.length - 20} more`] : []),
    ...extra.slice(0, 10),
  ].join('\n');
};
