import type { DueLatency } from './phase-spec';
import { environmentLines, int, markdownTable, textTable, type RunEnvironment } from './report';
import type { BreachDelay, BreachRound, SupervisionResults } from './supervision-phases';

export interface SupervisionRun extends RunEnvironment {
  readonly results: SupervisionResults;
  /** Seconds the supervision workloads took, seeding included. */
  readonly seconds: number;
}

/** How much slower the large population may be and still count as "the same". */
const MAX_RATIO = 1.5;

const ms = (n: number): string => `${n.toFixed(3)} ms`;
const perSecond = (n: number, seconds: number): string => `${int(n / seconds)}/s`;

/** Pages the statement read (the Limit node's `Buffers:` line): the work, whatever the load. */
const buffers = (d: DueLatency): string =>
  /Buffers: (.+)$/.exec(d.plan.find((line) => line.includes('Buffers:')) ?? '')?.[1] ?? '?';

const dueRows = (due: readonly DueLatency[]): string[][] =>
  due.map((d) => [
    `${int(d.open)} + ${int(d.due)} due`,
    int(d.rows),
    buffers(d),
    ms(d.p50Ms),
    ms(d.p99Ms),
    `${int(d.queries)}`,
    `${d.seedSeconds.toFixed(1)} s`,
  ]);

const breachRows = (rounds: readonly BreachRound[]): string[][] =>
  rounds.map((r) => [
    `${r.instances}`,
    `${int(r.seed.cases)} / ${int(r.seed.dueClocks)}`,
    `${r.seconds.toFixed(1)} s`,
    perSecond(r.fired, r.seconds),
    perSecond(r.breached, r.seconds),
    perSecond(r.events, r.seconds),
    `${int(r.fired)} fired, ${int(r.skipped)} skipped`,
    `${int(r.cpuMicros / r.fired)} µs`,
  ]);

const DUE_HEADER = ['Timers', 'Rows', 'Pages read', 'p50', 'p99', 'Queries', 'Seeded in'];
const BREACH_HEADER = [
  'Instances',
  'Cases / due clocks',
  'Round',
  'Cases fired',
  'DeadlineBreached',
  'All events',
  'Per instance: cases',
  'Node CPU per case',
];

const ratios = (
  due: readonly DueLatency[],
): { factor: number; p50: number; p99: number } | undefined => {
  const [small, large] = [due[0], due[due.length - 1]];
  if (!small || !large || small === large) return undefined;
  return {
    factor: large.open / small.open,
    p50: large.p50Ms / small.p50Ms,
    p99: large.p99Ms / small.p99Ms,
  };
};

const DELAY_LEAD_MS_TEXT = '3 s';
const delayMs = (value: number): string =>
  value >= 1_000 ? `${(value / 1_000).toFixed(2)} s` : `${value.toFixed(0)} ms`;
const DELAY_HEADER = ['Cases', 'Clocks due at midnight', 'Breached', 'p50', 'p99', 'max'];
const delayRow = (d: BreachDelay): string[] => [
  int(d.cases),
  int(d.dueClocks),
  int(d.breached),
  delayMs(d.p50Ms),
  delayMs(d.p99Ms),
  delayMs(d.maxMs),
];

export const supervisionConsoleReport = (run: SupervisionRun): string => {
  const { due, breaches } = run.results;
  const r = ratios(due);
  return [
    '',
    '(e) find-due query',
    textTable([DUE_HEADER, ...dueRows(due)]),
    r ? `large ÷ small: p50 ${r.p50.toFixed(2)} ×, p99 ${r.p99.toFixed(2)} ×` : '',
    '',
    '(f) DeadlineScheduler.runDue()',
    textTable([BREACH_HEADER, ...breachRows(breaches)]),
    '',
    '(f) breach delay',
    textTable([DELAY_HEADER, delayRow(run.results.delay)]),
  ].join('\n');
};

const planBlock = (d: DueLatency): string[] => [
  `\`EXPLAIN (ANALYZE, BUFFERS)\` with ${int(d.open)} open timers:`,
  '',
  '```text',
  ...d.plan,
  '```',
  '',
];

export const supervisionMarkdownReport = (run: SupervisionRun): string => {
  const { due, breaches } = run.results;
  const r = ratios(due);
  const first = breaches[0];
  const lines = [
    '### Latest run',
    '',
    ...environmentLines(run),
    `- Supervision workloads, seeding included: ${run.seconds.toFixed(0)} s of the run.`,
    '',
    '#### (e) Finding due clocks',
    '',
    `The scheduler's own statement (\`dueCasesSql\`, run by \`findDueCases\` as \`DeadlineScheduler.runDue\` runs it), called one at a time on one connection. Each population has ${int(due[0]?.due ?? 0)} timers due in the hour before the query's instant and the open ones spread over the next 90 days, written by \`INSERT … SELECT generate_series\` and vacuumed. The populations take turns call by call, after 200 warm-up calls each. Pages read is from the plan below: the work done, which other load on the machine does not change.`,
    '',
    markdownTable(DUE_HEADER, dueRows(due)),
    '',
  ];
  if (r) {
    lines.push(
      `With ${int(r.factor)} times as many open clocks the query takes ${r.p50.toFixed(2)} × the time at the median and ${r.p99.toFixed(2)} × at p99.`,
      '',
    );
  }
  lines.push(...due.flatMap(planBlock));
  lines.push(
    '#### (f) Breaches fired per second',
    '',
    `Each round starts from its own seed: ${int(first?.seed.cases ?? 0)} cases (one in five a petition), each registered, dispatched to a village committee with a police station as co-handler, and warned on Tuesday evening, by the domain's \`observe\` and \`fire\` with \`DEFAULT_DEADLINE_POLICIES\` and \`DEFAULT_CALENDAR_YEARS\`, recorded through \`LedgerStore\` (${first ? first.seed.seconds.toFixed(1) : '?'} s). Then \`DeadlineScheduler.runDue()\` runs once per instance, each instance a process of its own, with the clock at Wednesday 09:00, after every accept clock ran out: each case gets a \`DeadlineBreached\` per accept clock and a \`SupervisionEscalated\` to the township, in its own transaction. The outbox relay is not running.`,
    '',
    markdownTable(BREACH_HEADER, breachRows(breaches)),
    '',
    `Checked after each round: as many \`DeadlineBreached\` events as due clocks (${breaches.map((b) => int(b.breached)).join(' and ')}), no clock breached twice, no timer still due.`,
    '',
  );
  const delay = run.results.delay;
  lines.push(
    '#### (f) How long after its due time a breach is recorded',
    '',
    `${int(delay.cases)} cases seeded as for the rounds above. Working-day clocks end at 24:00, so their accept clocks all fall due at Tuesday's midnight, as a day's clocks do. Then one scheduler instance runs its own loop (\`start()\`, polling every ${int(delay.pollIntervalMs)} ms as the service does, and sleeping until the next timer when that is sooner) on a clock at wall speed set ${DELAY_LEAD_MS_TEXT} before the first due time, until every clock due at that midnight has breached. A breach's delay is its \`recorded_at\` (the start of the scheduler's transaction) on the scheduler's clock, less the clock's \`dueAt\`. Not included: the producers' watermarks (no service writes to this schema, so nothing holds a firing back); on a running system a firing also waits until supervision has applied what was committed before the due time — on a healthy one, the ledger's lag (see (i)–(j)).`,
    '',
    markdownTable(DELAY_HEADER, [delayRow(delay)]),
    '',
    `Checked: no clock breached twice; ${delay.errors} scheduler errors.`,
    '',
  );
  const targets: string[][] = [];
  if (r) {
    targets.push([
      `find-due p50, ${int(due[due.length - 1]!.open)} ÷ ${int(due[0]!.open)} open clocks ≤ ${MAX_RATIO}`,
      `${r.p50.toFixed(2)} ×`,
      r.p50 <= MAX_RATIO ? 'PASS' : 'MISS',
    ]);
  }
  targets.push([
    'breach delay p99 < 2 s on a healthy system',
    delayMs(delay.p99Ms),
    delay.p99Ms < 2_000 && delay.breached >= delay.dueClocks ? 'PASS' : 'MISS',
  ]);
  lines.push('#### Targets', '', markdownTable(['Target', 'Measured', 'Verdict'], targets));
  return lines.join('\n');
};
