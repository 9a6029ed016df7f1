import type { BenchConfig } from './bench-config';
import type { ServerInfo } from './bench-database';
import type { LoadResult } from './closed-loop';
import type { MachineInfo } from './machine-info';
import type { PhaseResult } from './phase-spec';

type ReplayResult = Extract<PhaseResult, { kind: 'replay' }>;

/** Where and when a run happened: the header of every section the bench writes. */
export interface RunEnvironment {
  readonly command: string;
  readonly startedAt: Date;
  readonly totalSeconds: number;
  readonly machine: MachineInfo;
  /** Share of all cores busy (other processes) just before the run; load average at both ends. */
  readonly busyBefore: number | undefined;
  readonly loadBefore: number;
  readonly loadAfter: number;
  /** Share of all cores' time stolen by the hypervisor during the run (VMs only). */
  readonly stealDuring: number | undefined;
  /** Commit of the checkout and whether the event store's sources differ from it. */
  readonly code: string;
  readonly server: ServerInfo;
}

export interface BenchRun extends RunEnvironment {
  readonly config: BenchConfig;
  readonly ours: LoadResult;
  readonly emmett: LoadResult;
  readonly raw: LoadResult;
  readonly seedSeconds: number;
  readonly replay: ReplayResult;
  /** Our store under other settings (BENCH_SWEEP=1), label -> figures. */
  readonly sweep: readonly { readonly label: string; readonly load: LoadResult }[];
}

interface Verdict {
  readonly target: string;
  readonly measured: string;
  readonly pass: boolean;
  readonly gap: string;
}

export const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (n: number): string => `${n.toFixed(2)} ms`;
const pct = (part: number, whole: number): string => `${((part / whole) * 100).toFixed(0)} %`;

export const verdicts = (run: BenchRun): Verdict[] => {
  const ours = run.ours.perSecond;
  const needVsEmmett = 3 * run.emmett.perSecond;
  const needReplay = 100_000;
  return [
    {
      target: 'our appends/s ≥ 3 × Emmett',
      measured: `${(ours / run.emmett.perSecond).toFixed(2)} ×`,
      pass: ours >= needVsEmmett,
      gap: `short by ${int(needVsEmmett - ours)} appends/s (${pct(needVsEmmett - ours, needVsEmmett)} of ${int(needVsEmmett)})`,
    },
    {
      target: 'our appends/s ≥ raw single-row INSERT',
      measured: `${(ours / run.raw.perSecond).toFixed(2)} ×`,
      pass: ours >= run.raw.perSecond,
      gap: `short by ${int(run.raw.perSecond - ours)} appends/s (${pct(run.raw.perSecond - ours, run.raw.perSecond)} of ${int(run.raw.perSecond)})`,
    },
    {
      target: 'replay ≥ 100,000 events/s',
      measured: `${int(run.replay.perSecond)} events/s`,
      pass: run.replay.perSecond >= needReplay,
      gap: `short by ${int(needReplay - run.replay.perSecond)} events/s (${pct(needReplay - run.replay.perSecond, needReplay)})`,
    },
  ];
};

const cpu = (load: LoadResult): string =>
  load.clientCpuMicros === undefined
    ? 'n/a'
    : `${int(load.clientCpuMicros)} + ${load.serverCpuMicros === undefined ? '?' : int(load.serverCpuMicros)} µs`;

const loadRow = (label: string, unit: string, load: LoadResult): string[] => [
  label,
  `${int(load.perSecond)} ${unit}/s`,
  ms(load.p50Ms),
  ms(load.p99Ms),
  cpu(load),
];

const loadRows = (run: BenchRun): string[][] => [
  loadRow('(a) our PgEventStore append (+outbox)', 'appends', run.ours),
  loadRow('(b) Emmett appendToStream', 'appends', run.emmett),
  loadRow('(c) raw INSERT autocommit', 'inserts', run.raw),
  [
    `(d) readAll replay, page ${int(run.replay.pageSize)}`,
    `${int(run.replay.perSecond)} events/s`,
    `${int(run.replay.events)} in ${run.replay.seconds.toFixed(1)} s`,
    `peak RSS ${int(run.replay.peakRssMb)} MB`,
    '',
  ],
];

const sweepRows = (run: BenchRun): string[][] =>
  run.sweep.map(({ label, load }) => loadRow(label, 'appends', load));

export const markdownTable = (
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string =>
  [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');

export const textTable = (rows: readonly (readonly string[])[]): string => {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length)));
  return rows.map((row) => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ')).join('\n');
};

export const consoleReport = (run: BenchRun): string => {
  const lines = [
    '',
    textTable([['workload', 'rate', 'p50', 'p99', 'CPU/op node + PG'], ...loadRows(run)]),
  ];
  if (run.sweep.length > 0) {
    lines.push('', 'our store, other settings:', textTable(sweepRows(run)));
  }
  lines.push(
    '',
    ...verdicts(run).map(
      (v) =>
        `${v.pass ? 'PASS' : 'MISS'}  ${v.target}: ${v.measured}${v.pass ? '' : ` — ${v.gap}`}`,
    ),
  );
  return lines.join('\n');
};

/** The run's command, date, machine, load, code and server, as list items. */
export const environmentLines = (run: RunEnvironment): string[] => {
  const { machine, server } = run;
  const s = server.settings;
  return [
    `- Command: \`${run.command}\` (whole run ${run.totalSeconds.toFixed(0)} s)`,
    `- Date: ${run.startedAt.toISOString()}`,
    `- Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB.toFixed(1)} GiB RAM, Node ${machine.node}`,
    `- Other load on the machine: ${run.busyBefore === undefined ? 'unknown' : `${(run.busyBefore * 100).toFixed(0)} % of all cores busy`} in the second before the run; load average ${run.loadBefore.toFixed(2)} before, ${run.loadAfter.toFixed(2)} after`,
    `- CPU steal by the hypervisor during the run: ${run.stealDuring === undefined ? 'unknown' : `${(run.stealDuring * 100).toFixed(1)} %`}`,
    `- Code: ${run.code}`,
    `- PostgreSQL: ${server.version}`,
    `- Server settings: synchronous_commit=${s['synchronous_commit']}, fsync=${s['fsync']}, wal_sync_method=${s['wal_sync_method']}, commit_delay=${s['commit_delay']}, shared_buffers=${s['shared_buffers']}, max_connections=${s['max_connections']}`,
  ];
};

export const markdownReport = (run: BenchRun): string => {
  const { config } = run;
  const lines = [
    '## Latest run',
    '',
    ...environmentLines(run),
    `- Append workloads: ${config.writers} concurrent writers, each its own stream, one event per call, exact expected version; ${config.warmupMs / 1000} s warm-up, then ${config.measureMs / 1000} s measured; latency per call. Pools: ours 20, Emmett 20, raw 16.`,
    `- Replay: ${int(run.replay.events)} events seeded by SQL in ${run.seedSeconds.toFixed(1)} s, then \`readAll\` from START with page size ${int(run.replay.pageSize)} (${int(run.replay.pages)} pages); RSS ${int(run.replay.rssBeforeMb)} MB before the replay, peak ${int(run.replay.peakRssMb)} MB.`,
    '',
    markdownTable(
      ['Workload', 'Rate', 'p50', 'p99', 'CPU per op: Node + PostgreSQL'],
      loadRows(run),
    ),
    '',
  ];
  if (run.sweep.length > 0) {
    lines.push(
      'Our store under other settings (`BENCH_SWEEP=1`, same workload):',
      '',
      markdownTable(
        ['Setting', 'Rate', 'p50', 'p99', 'CPU per op: Node + PostgreSQL'],
        sweepRows(run),
      ),
      '',
    );
  }
  const perOp = (l: LoadResult): number | undefined =>
    l.clientCpuMicros === undefined || l.serverCpuMicros === undefined
      ? undefined
      : l.clientCpuMicros + l.serverCpuMicros;
  const [ours, raw, emmett] = [perOp(run.ours), perOp(run.raw), perOp(run.emmett)];
  if (ours !== undefined && raw !== undefined && emmett !== undefined) {
    lines.push(
      `CPU per op is this Node process plus the bench database's backends, per acknowledged call; unlike the rate, it moves little with other load on the machine. Per append our store spends ${(ours / raw).toFixed(2)} × the CPU of a raw INSERT and Emmett ${(emmett / ours).toFixed(2)} × ours.`,
      '',
    );
  }
  lines.push(
    '### Targets',
    '',
    markdownTable(
      ['Target', 'Measured', 'Verdict'],
      verdicts(run).map((v) => [v.target, v.measured, v.pass ? 'PASS' : `MISS — ${v.gap}`]),
    ),
  );
  return lines.join('\n');
};
