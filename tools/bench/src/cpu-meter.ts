import { readFileSync } from 'node:fs';
import { Client } from 'pg';

/** Linux reports per-process CPU in clock ticks; CLK_TCK is 100 on every x86-64 kernel. */
const MICROS_PER_TICK = 10_000;

const processTicks = (pid: number): number | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces; fields resume after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return undefined;
  }
};

export interface CpuUse {
  /** CPU this Node process spent (driver, serialisation, the store's client code). */
  readonly clientMicros: number;
  /** CPU the bench database's backends spent; undefined off Linux or on a remote server. */
  readonly serverMicros: number | undefined;
}

/**
 * Measures CPU time rather than wall time: on a shared machine throughput swings with
 * whatever else runs, but CPU spent per operation stays comparable between runs. Counts
 * only backends connected to the bench database, so other databases on the same server
 * are left out.
 */
export class CpuMeter {
  private client = process.cpuUsage();
  private server = new Map<number, number>();

  private constructor(private readonly admin: Client) {}

  static async open(url: string): Promise<CpuMeter> {
    const admin = new Client({ connectionString: url });
    await admin.connect();
    return new CpuMeter(admin);
  }

  private async serverTicks(): Promise<Map<number, number>> {
    const { rows } = await this.admin.query<{ pid: number }>(
      `select pid from pg_stat_activity
       where datname = current_database() and pid <> pg_backend_pid()`,
    );
    const ticks = new Map<number, number>();
    for (const { pid } of rows) {
      const t = processTicks(pid);
      if (t !== undefined) ticks.set(pid, t);
    }
    return ticks;
  }

  async start(): Promise<void> {
    this.server = await this.serverTicks();
    this.client = process.cpuUsage();
  }

  async stop(): Promise<CpuUse> {
    const client = process.cpuUsage(this.client);
    const after = await this.serverTicks();
    let ticks = 0;
    let seen = false;
    for (const [pid, t] of after) {
      const before = this.server.get(pid);
      if (before === undefined) continue; // connected mid-window: its start is unknown
      ticks += t - before;
      seen = true;
    }
    return {
      clientMicros: client.user + client.system,
      serverMicros: seen ? ticks * MICROS_PER_TICK : undefined,
    };
  }

  close(): Promise<void> {
    return this.admin.end();
  }
}

export const withCpuMeter = async <T>(
  url: string,
  use: (meter: CpuMeter) => Promise<T>,
): Promise<T> => {
  const meter = await CpuMeter.open(url);
  try {
    return await use(meter);
  } finally {
    await meter.close();
  }
};
