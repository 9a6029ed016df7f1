import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { format, resolveConfig } from 'prettier';
import type { Fault } from './faults';
import type { RunResult } from './runner';

/** One row of the table: a fault and every run of it. */
export interface FaultSummary {
  readonly fault: Fault;
  readonly system: string;
  readonly runs: number;
  readonly acked: number;
  readonly missing: number;
  readonly duplicated: number;
  readonly orderViolations: number;
  readonly chainsValid: number;
  readonly chainsChecked: number;
  readonly falseBreaches: number;
  /** Runs that did not answer ready and write within the recovery timeout. */
  readonly notRecovered: number;
  readonly recoveryP50Ms: number | undefined;
  readonly recoveryMaxMs: number | undefined;
  readonly readyMaxMs: number | undefined;
  readonly writeMaxMs: number | undefined;
  readonly visibleP50Ms: number | undefined;
  readonly visibleMaxMs: number | undefined;
  readonly caughtUpP50Ms: number | undefined;
  readonly caughtUpMaxMs: number | undefined;
  readonly measuredP50Ms: number | undefined;
  readonly measuredMaxMs: number | undefined;
  readonly refusals: number;
  readonly unanswered: number;
}

const percentile = (values: readonly number[], p: number): number | undefined => {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

const defined = (values: readonly (number | undefined)[]): number[] =>
  values.filter((v): v is number => v !== undefined);

export const summarise = (
  fault: Fault,
  system: string,
  runs: readonly RunResult[],
): FaultSummary => {
  const sum = (f: (r: RunResult) => number): number => runs.reduce((n, r) => n + f(r), 0);
  const recoveries = defined(runs.map((r) => r.recoveryMs));
  return {
    fault,
    system,
    runs: runs.length,
    acked: sum((r) => r.acked),
    missing: sum((r) => r.fresh.missing.length),
    duplicated: sum((r) => r.fresh.duplicated.length),
    orderViolations: sum((r) => r.fresh.orderViolations.length),
    chainsValid: sum((r) => r.verdict.chainsValid),
    chainsChecked: sum((r) => r.verdict.chainsChecked),
    falseBreaches: sum((r) => r.fresh.falseBreaches.length),
    notRecovered: runs.filter((r) => r.recoveryMs === undefined || r.error !== undefined).length,
    recoveryP50Ms: percentile(recoveries, 50),
    recoveryMaxMs: percentile(recoveries, 100),
    readyMaxMs: percentile(defined(runs.map((r) => r.readyMs)), 100),
    writeMaxMs: percentile(defined(runs.map((r) => r.writeMs)), 100),
    visibleP50Ms: percentile(defined(runs.map((r) => r.visibleMs)), 50),
    visibleMaxMs: percentile(defined(runs.map((r) => r.visibleMs)), 100),
    caughtUpP50Ms: percentile(defined(runs.map((r) => r.caughtUpMs)), 50),
    caughtUpMaxMs: percentile(defined(runs.map((r) => r.caughtUpMs)), 100),
    measuredP50Ms: percentile(defined(runs.map((r) => r.measuredMs)), 50),
    measuredMaxMs: percentile(defined(runs.map((r) => r.measuredMs)), 100),
    refusals: sum((r) => r.refusals.length),
    unanswered: sum((r) => r.unanswered.length),
  };
};

/** Every invariant held and every run recovered. */
export const passed = (s: FaultSummary): boolean =>
  s.missing === 0 &&
  s.duplicated === 0 &&
  s.orderViolations === 0 &&
  s.falseBreaches === 0 &&
  s.chainsValid === s.chainsChecked &&
  s.notRecovered === 0;

const seconds = (ms: number | undefined): string =>
  ms === undefined ? '—' : ms < 1_000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;

const percent = (valid: number, checked: number): string =>
  checked === 0
    ? '—'
    : `${((100 * valid) / checked).toFixed(valid === checked ? 0 : 1)} % (${valid}/${checked})`;

export const renderTable = (summaries: readonly FaultSummary[]): string => {
  const header = [
    'Fault',
    'System',
    'Runs',
    'Commands acked',
    'Acked but missing',
    'Duplicated',
    'Order violations',
    'Chains valid',
    'False breaches',
    'Recovery p50',
    'Recovery max',
    'Write visible p50 / max',
    'Caught up p50 / max',
  ];
  const rows = summaries.map((s) => [
    s.fault.title,
    s.system,
    String(s.runs),
    String(s.acked),
    String(s.missing),
    String(s.duplicated),
    String(s.orderViolations),
    percent(s.chainsValid, s.chainsChecked),
    String(s.falseBreaches),
    seconds(s.recoveryP50Ms),
    s.notRecovered > 0 ? `not recovered in ${s.notRecovered} run(s)` : seconds(s.recoveryMaxMs),
    `${seconds(s.visibleP50Ms)} / ${seconds(s.visibleMaxMs)}`,
    `${seconds(s.caughtUpP50Ms)} / ${seconds(s.caughtUpMaxMs)}`,
  ]);
  return [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
};

export interface RunContext {
  /** `commitOf` taken when the run started: the code the systems ran. */
  readonly code: string;
  readonly command: string;
  readonly startedAt: Date;
  readonly seconds: number;
  readonly loadBefore: number;
  readonly loadAfter: number;
  readonly settings: string;
  readonly systems: readonly string[];
}

export const commitOf = (root: string): string => {
  try {
    const git = (...args: string[]): string =>
      execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
    const changed = git('status', '--porcelain', '--', 'libs', 'services', 'tools')
      .split('\n')
      .filter((line) => line.length > 3).length;
    return `${git('rev-parse', '--short', 'HEAD')}${changed > 0 ? ` with ${changed} uncommitted change(s) in libs, services, tools` : ''}`;
  } catch {
    return 'unknown (no git)';
  }
};

export const machineLine = (): string => {
  const model = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${model}, ${cpus().length} cores, ${(totalmem() / 1024 ** 3).toFixed(1)} GiB RAM, Node ${process.version}`;
};

export const currentLoad = (): number => loadavg()[0] ?? 0;

export const renderSection = (context: RunContext, summaries: readonly FaultSummary[]): string => {
  const refused = summaries.reduce((n, s) => n + s.refusals, 0);
  const unanswered = summaries.reduce((n, s) => n + s.unanswered, 0);
  const verdicts = summaries.map((s) => `${s.fault.id} ${passed(s) ? 'PASS' : 'FAIL'}`).join(', ');
  return [
    '## Latest run',
    '',
    `- Command: \`${context.command}\` (whole run ${Math.round(context.seconds)} s)`,
    `- Date: ${context.startedAt.toISOString()}`,
    `- Machine: ${machineLine()}; load average ${context.loadBefore.toFixed(2)} before, ${context.loadAfter.toFixed(2)} after`,
    `- Code: commit ${context.code}`,
    `- Settings: ${context.settings}`,
    ...context.systems.map((s) => `- System: ${s}`),
    `- Answers that were neither 2xx nor worth a retry: ${refused}; commands given up unanswered: ${unanswered}`,
    `- Verdicts: ${verdicts}`,
    '',
    renderTable(summaries),
    '',
    'Recovery is from the end of the fault (PostgreSQL, the broker or Redis back; the new process spawned after kill -9; at once for the instant faults) until both `/health/ready` answered 200 and a registration of its own got its 201 (each polled every 50 ms); write visible is until that registration was on the ledger and in audit (the consumers work again); caught up is until every acknowledged command of the run had reached every consumer, the load having gone on for FAULTS_ACKED commands after the recovery and drained. ' +
      summaries
        .map(
          (s) =>
            `${s.fault.id}: ready at most ${seconds(s.readyMaxMs)}, first write at most ${seconds(s.writeMaxMs)}`,
        )
        .join('; ') +
      '.',
    ...summaries
      .filter((s) => s.fault.measures !== undefined)
      .map(
        (s) =>
          `\n**${s.fault.id}**, ${s.fault.measures}: p50 ${seconds(s.measuredP50Ms)}, max ${seconds(s.measuredMaxMs)} over ${s.runs} run(s).`,
      ),
  ].join('\n');
};

const BEGIN = '<!-- faults:begin (written by npm run faults; edit outside these markers) -->';
const END = '<!-- faults:end -->';

/** Writes the run between the markers of `path` and keeps the rest, formatted by Prettier. */
export const writeReliabilityDoc = async (path: string, section: string): Promise<void> => {
  const region = `${BEGIN}\n\n${section}\n\n${END}`;
  const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  const from = current?.indexOf(BEGIN) ?? -1;
  const to = current?.indexOf(END) ?? -1;
  const next =
    current === undefined
      ? `# Reliability\n\n${region}\n`
      : from >= 0 && to > from
        ? current.slice(0, from) + region + current.slice(to + END.length)
        : `${current.trimEnd()}\n\n${region}\n`;
  const options = (await resolveConfig(path)) ?? {};
  writeFileSync(path, await format(next, { ...options, filepath: path }));
};
