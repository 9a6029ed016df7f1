import { readdirSync, readFileSync } from 'node:fs';

/** Linux reports per-process CPU in clock ticks; CLK_TCK is 100 on every x86-64 kernel. */
const SECONDS_PER_TICK = 0.01;

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // gone, or not Linux
  }
};

/** CPU seconds (user + system) a process has used so far; undefined once it is gone. */
export const cpuSecondsOf = (pid: number): number | undefined => {
  const stat = read(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // The command name may hold spaces; fields resume after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * SECONDS_PER_TICK;
};

/** The process's peak resident set (`VmHWM`), in MiB. */
export const peakRssMbOf = (pid: number): number | undefined => {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(read(`/proc/${pid}/status`) ?? '');
  return match ? Number(match[1]) / 1024 : undefined;
};

/** Direct children of `pid`, over all its threads (`/proc/<pid>/task/<tid>/children`). */
const childrenOf = (pid: number): number[] => {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  return tasks.flatMap((tid) =>
    (read(`/proc/${pid}/task/${tid}/children`) ?? '')
      .split(' ')
      .filter((s) => s.trim() !== '')
      .map(Number),
  );
};

export interface ProcessInfo {
  readonly pid: number;
  /** The command line, arguments joined by spaces. */
  readonly command: string;
}

/** Every process below `pid`, children before grandchildren. */
export const descendantsOf = (pid: number): ProcessInfo[] => {
  const out: ProcessInfo[] = [];
  const queue = childrenOf(pid);
  while (queue.length > 0) {
    const next = queue.shift()!;
    const command = (read(`/proc/${next}/cmdline`) ?? '').split('\0').join(' ').trim();
    out.push({ pid: next, command });
    queue.push(...childrenOf(next));
  }
  return out;
};

/** CPU seconds of a set of processes, counted from `start`: one reading per process. */
export class CpuClock {
  private readonly start = new Map<number, number>();

  constructor(private readonly pids: readonly number[]) {
    for (const pid of pids) this.start.set(pid, cpuSecondsOf(pid) ?? 0);
  }

  /** Seconds each process used since the clock started (0 for one that is gone). */
  elapsed(): Map<number, number> {
    return new Map(
      this.pids.map((pid) => [
        pid,
        Math.max(0, (cpuSecondsOf(pid) ?? 0) - (this.start.get(pid) ?? 0)),
      ]),
    );
  }
}
