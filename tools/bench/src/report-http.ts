import type { HttpBenchConfig, HttpSystem } from './http-config';
import { RAISED_RATE_LIMITS } from './http-config';
import type { HttpPhaseFigures } from './http-phase';
import { environmentLines, int, markdownTable, textTable, type RunEnvironment } from './report';
import { CITY_SUPERVISOR } from './registration';

/** A phase's figures, or why it has none. */
export interface HttpOutcome {
  readonly system: HttpSystem;
  readonly figures?: HttpPhaseFigures;
  readonly failure?: string;
}

export interface HttpRun extends RunEnvironment {
  readonly config: HttpBenchConfig;
  readonly outcomes: readonly HttpOutcome[];
}

const LABELS: Record<HttpSystem, string> = {
  embedded: '(i) embedded default',
  topology: '(j) topology',
};

const duration = (ms: number): string =>
  !Number.isFinite(ms)
    ? 'never'
    : ms >= 1000
      ? `${(ms / 1000).toFixed(2)} s`
      : `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
const perCase = (seconds: number, cases: number): string =>
  cases > 0 ? `${((seconds / cases) * 1000).toFixed(2)} ms` : 'n/a';
const statuses = (counts: Readonly<Record<string, number>>): string =>
  Object.entries(counts)
    .map(([status, n]) => `${status === '0' ? 'no answer' : status}: ${int(n)}`)
    .join(', ') || 'none';

const rssOf = (f: HttpPhaseFigures): number =>
  f.processes.filter((p) => p.service).reduce((s, p) => s + (p.peakRssMb ?? 0), 0);

const rss = (f: HttpPhaseFigures): string => {
  const services = f.processes.filter((p) => p.service);
  if (services.length === 1) return `${int(services[0]!.peakRssMb ?? 0)} MB`;
  return `${int(rssOf(f))} MB (${services.map((p) => `${p.role} ${int(p.peakRssMb ?? 0)}`).join(', ')})`;
};

const cpuOf = (f: HttpPhaseFigures, service: boolean, window = true): number =>
  f.processes
    .filter((p) => p.service === service)
    .reduce((s, p) => s + (window ? p.windowCpuSeconds : p.afterCpuSeconds), 0);

/** Each service's share, when there is more than one. */
const byProcess = (f: HttpPhaseFigures): string => {
  const services = f.processes.filter((p) => p.service);
  if (services.length === 1) return '';
  const each = services.map(
    (p) => `${p.role} ${perCase(p.windowCpuSeconds, f.load.registrations)}`,
  );
  return ` (${each.join(', ')})`;
};

const catchUp = (f: HttpPhaseFigures, timeoutMs: number): string => {
  const c = f.catchUp;
  if (c.seconds !== undefined)
    return `${c.seconds.toFixed(1)} s (${int(c.auditEvents)} events of ${int(c.cases)} cases)`;
  return `not within ${timeoutMs / 1000} s: ${int(c.auditEvents)} of ${int(c.sourceEvents)} events, ${int(c.casesInAudit)} of ${int(c.cases)} cases`;
};

const METRICS: readonly [string, (f: HttpPhaseFigures, config: HttpBenchConfig) => string][] = [
  ['Start until `/health/ready` answered 200', (f) => `${f.startSeconds.toFixed(1)} s`],
  ['First case on the ledger, before the load', (f) => `${f.firstVisibleSeconds.toFixed(2)} s`],
  [
    '**Registrations/s** (201 in the window)',
    (f) => `**${int(f.load.perSecond)}/s** (${int(f.load.registrations)} in ${f.load.seconds} s)`,
  ],
  ['POST p50 / p99', (f) => `${duration(f.load.p50Ms)} / ${duration(f.load.p99Ms)}`],
  ['Other answers in the window, by status', (f) => statuses(f.load.errors)],
  ['201 without dispatch by rule', (f) => int(f.load.notDispatched)],
  [
    '**Ledger visibility** p50 / p99 / max',
    (f) =>
      `${duration(f.visibility.p50Ms)} / **${duration(f.visibility.p99Ms)}** / ${duration(f.visibility.maxMs)}`,
  ],
  [
    'Sampled cases: seen / never seen in 60 s',
    (f) =>
      `${int(f.visibility.visible)} / ${int(f.visibility.neverVisible)} of ${int(f.visibility.samples)}`,
  ],
  ['Samples not yet on the ledger as the load ended', (f) => int(f.pendingAtLoadEnd)],
  [
    'Probe: table checks, HTTP reads, resolution p50',
    (f) =>
      `${int(f.visibility.checks)} checks, ${int(f.visibility.reads)} reads${Object.keys(f.visibility.readErrors).length > 0 ? ` (${statuses(f.visibility.readErrors)})` : ''}, ±${duration(f.visibility.resolutionP50Ms)}`,
  ],
  ['**Audit catch-up** after the load', (f, c) => catchUp(f, c.catchUpTimeoutMs)],
  ['**Peak RSS** (VmHWM) of the casegrid processes', (f) => rss(f)],
  [
    '**CPU per registration**: casegrid processes',
    (f) => `**${perCase(cpuOf(f, true), f.load.registrations)}**${byProcess(f)}`,
  ],
  [
    'CPU per registration: broker + nginx',
    (f) =>
      f.processes.some((p) => !p.service) ? perCase(cpuOf(f, false), f.load.registrations) : '—',
  ],
  [
    'CPU per registration: PostgreSQL backends',
    (f) =>
      f.postgresCpuSeconds === undefined
        ? 'n/a'
        : perCase(f.postgresCpuSeconds, f.load.registrations),
  ],
  [
    'CPU per registration: the bench (clients, probe)',
    (f) => perCase(f.benchCpuSeconds, f.load.registrations),
  ],
  [
    'CPU of the casegrid processes after the window',
    (f) => `${cpuOf(f, true, false).toFixed(1)} s`,
  ],
];

const resultRows = (run: HttpRun): string[][] =>
  METRICS.map(([label, cell]) => [
    label,
    ...run.outcomes.map((o) =>
      o.figures
        ? cell(o.figures, run.config)
        : label === METRICS[0]![0]
          ? `failed: ${o.failure ?? '?'}`
          : '—',
    ),
  ]);

interface Verdict {
  readonly target: string;
  readonly measured: string;
  readonly pass: boolean;
}

const verdicts = (run: HttpRun): Verdict[] => {
  const of = (system: HttpSystem) => run.outcomes.find((o) => o.system === system);
  const out: Verdict[] = [];
  const add = (
    system: HttpSystem,
    target: string,
    check: (f: HttpPhaseFigures) => [string, boolean],
  ): void => {
    const outcome = of(system);
    if (!outcome) return;
    const [measured, pass] = outcome.figures
      ? check(outcome.figures)
      : [`failed: ${outcome.failure ?? '?'}`, false];
    out.push({ target, measured, pass });
  };
  add('embedded', '(i) ≥ 500 registrations/s', (f) => [
    `${int(f.load.perSecond)}/s`,
    f.load.perSecond >= 500,
  ]);
  add('embedded', '(i) ledger visibility p99 < 1 s during the load', (f) => [
    duration(f.visibility.p99Ms),
    f.visibility.p99Ms < 1000,
  ]);
  add('embedded', '(i) peak RSS ≤ 800 MB', (f) => [`${int(rssOf(f))} MB`, rssOf(f) <= 800]);
  add('topology', '(j) ≥ 250 registrations/s', (f) => [
    `${int(f.load.perSecond)}/s`,
    f.load.perSecond >= 250,
  ]);
  add('topology', '(j) ledger visibility p99 < 2 s during the load', (f) => [
    duration(f.visibility.p99Ms),
    f.visibility.p99Ms < 2000,
  ]);
  return out;
};

const header = (run: HttpRun): string[] => ['', ...run.outcomes.map((o) => LABELS[o.system])];

export const httpConsoleReport = (run: HttpRun): string =>
  [
    '',
    textTable(
      [header(run), ...resultRows(run)].map((r) =>
        r.map((c) => c.replaceAll('**', '').replaceAll('`', '')),
      ),
    ),
    '',
    ...verdicts(run).map((v) => `${v.pass ? 'PASS' : 'MISS'}  ${v.target}: ${v.measured}`),
  ].join('\n');

export const httpMarkdownReport = (run: HttpRun): string => {
  const c = run.config;
  const limits = Object.entries(RAISED_RATE_LIMITS)
    .map(([k, v]) => `\`${k}=${v}\``)
    .join(', ');
  return [
    '### Latest run',
    '',
    ...environmentLines(run),
    `- Load: ${c.clients} clients in a closed loop, each \`POST /api/v1/cases\` of a distinct neighbour dispute (a fresh resident id number each, one of the clerk's villages, dispatched by rule in the same request), signed in as the four demo intake clerks (one token per clerk, shared); ${c.warmupMs / 1000} s warm-up, then ${c.measureMs / 1000} s measured. node:http with kept-alive connections.`,
    `- Ledger visibility, measured during the load: every ${c.sampleEvery}th case answered 201 in the window is followed until \`GET /api/v1/cases/{id}\` (supervision's ledger), read as \`${CITY_SUPERVISOR}\`, answers 200; visibility is that 200's arrival less the 201's. Every ${c.pollIntervalMs} ms one query asks supervision's \`ledger\` table (the row that read answers from) which pending samples it holds, and each one found is read over HTTP at once, at most ${c.pollers} reads in flight. A sample unseen after ${c.visibilityTimeoutMs / 1000} s counts as never visible, and as infinitely late in p99 and max.`,
    `- Audit catch-up: from the last answer of the load until audit's \`case_events\` holds every event intake and supervision stored for every registered case, supervision having consumed all of intake's (SQL on the system's databases, every 0.2 s, at most ${c.catchUpTimeoutMs / 1000} s).`,
    `- Systems: each a child process (or processes) of the bench, \`CASEGRID_ENV=development\`, \`LOG_LEVEL=warn\`, rate limits raised for the run through ${limits}; (i) \`node dist/services/embedded/src/main.js\` on the fresh database \`casegrid_bench_http_embedded\`; (j) \`startTopology\` (tools/topology: mock Kafka broker, five service processes on fresh databases \`casegrid_bench_http_<service>\`, nginx ingress, Redis \`${c.redisUrl}\`), requests through the ingress.`,
    "- CPU per registration: CPU seconds (utime + stime from `/proc/<pid>/stat`) in the measured window over the registrations answered in it; PostgreSQL backends of the systems' databases that were connected for the whole window. Peak RSS is `VmHWM` from `/proc/<pid>/status` at the end.",
    '',
    markdownTable(header(run), resultRows(run)),
    '',
    '#### Targets',
    '',
    markdownTable(
      ['Target', 'Measured', 'Verdict'],
      verdicts(run).map((v) => [v.target, v.measured, v.pass ? 'PASS' : 'MISS']),
    ),
  ].join('\n');
};
