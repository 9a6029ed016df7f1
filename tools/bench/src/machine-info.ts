import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
}

const cpuModelFromProc = (): string | undefined => {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return match?.[1]?.trim();
  } catch {
    return undefined; // not Linux: fall back to what Node reports
  }
};

export const readMachineInfo = (): MachineInfo => ({
  cpuModel: cpuModelFromProc() ?? cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGiB: totalmem() / 1024 ** 3,
  node: process.version,
});

export interface CpuTimes {
  readonly busy: number;
  /** Time the hypervisor gave this VM's virtual CPUs to someone else. */
  readonly steal: number;
  readonly total: number;
}

/** Whole-machine CPU counters from /proc/stat (Linux); undefined elsewhere. */
export const readCpuTimes = (): CpuTimes | undefined => {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const total = values.reduce((sum, v) => sum + v, 0);
    const idle = (values[3] ?? 0) + (values[4] ?? 0); // idle + iowait
    return { busy: total - idle, steal: values[7] ?? 0, total };
  } catch {
    return undefined;
  }
};

/** Shares of all cores' time between two samples: busy (steal included) and steal. */
export const cpuShares = (
  before: CpuTimes | undefined,
  after: CpuTimes | undefined,
): { busy: number; steal: number } | undefined => {
  if (!before || !after || after.total === before.total) return undefined;
  const total = after.total - before.total;
  return { busy: (after.busy - before.busy) / total, steal: (after.steal - before.steal) / total };
};

/**
 * Share of all cores busy over `ms`, before the bench starts anything: the figures only
 * mean something next to what else was running on the machine.
 */
export const sampleBusyShare = async (ms: number): Promise<number | undefined> => {
  const before = readCpuTimes();
  await new Promise((resolve) => setTimeout(resolve, ms));
  return cpuShares(before, readCpuTimes())?.busy;
};
