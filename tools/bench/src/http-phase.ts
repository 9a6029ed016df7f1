import { rm } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { waitForAuditCatchUp, type CatchUpResult } from './audit-catch-up';
import { CpuMeter } from './cpu-meter';
import { HttpJsonClient } from './http-client';
import type { HttpBenchConfig, HttpSystem } from './http-config';
import {
  startEmbedded,
  startTopologySystem,
  type SystemProcess,
  type SystemUnderTest,
} from './http-systems';
import { openLedgerReads } from './ledger-reads';
import { CpuClock, peakRssMbOf } from './proc-stats';
import {
  CITY_SUPERVISOR,
  CLERKS,
  DEMO_PASSWORD,
  parseRegistered,
  registrationBody,
} from './registration';
import { runRegistrationLoad, type RegistrationLoadResult } from './registration-load';
import { VisibilityProbe, type VisibilityResult } from './visibility-probe';

export interface ProcessFigures extends SystemProcess {
  readonly peakRssMb: number | undefined;
  /** CPU seconds inside the measured window, and from its end until the phase's end. */
  readonly windowCpuSeconds: number;
  readonly afterCpuSeconds: number;
}

export interface HttpPhaseFigures {
  readonly system: HttpSystem;
  readonly startSeconds: number;
  /** The first case, registered before the load: seconds until the ledger showed it. */
  readonly firstVisibleSeconds: number;
  readonly load: Omit<RegistrationLoadResult, 'registeredIds'>;
  /** Cases registered in all (the first one, the warm-up's and the window's). */
  readonly registered: number;
  readonly visibility: VisibilityResult;
  /** Samples not yet on the ledger when the load ended. */
  readonly pendingAtLoadEnd: number;
  readonly catchUp: CatchUpResult;
  readonly processes: readonly ProcessFigures[];
  /** CPU seconds the database backends spent in the window; undefined if unreadable. */
  readonly postgresCpuSeconds: number | undefined;
  /** CPU seconds of the bench's own process in the window (clients and probe). */
  readonly benchCpuSeconds: number;
}

const FIRST_VISIBLE_TIMEOUT_MS = 60_000;

type Step = (message: string) => void;

/** Registers one case and waits for the ledger to show it: the event path is warm end to end. */
const firstCase = async (
  client: HttpJsonClient,
  clerkToken: string,
  supervisorToken: string,
): Promise<{ id: string; seconds: number }> => {
  const started = performance.now();
  const answer = await client.send(
    'POST',
    '/api/v1/cases',
    clerkToken,
    registrationBody(0, CLERKS[0]!.villages[0]!),
  );
  if (answer.status !== 201) throw new Error(`first registration: ${answer.status} ${answer.body}`);
  const { id } = parseRegistered(answer.body);
  while ((await client.send('GET', `/api/v1/cases/${id}`, supervisorToken)).status !== 200) {
    if (performance.now() - started > FIRST_VISIBLE_TIMEOUT_MS) {
      throw new Error(`the first case was not on the ledger within ${FIRST_VISIBLE_TIMEOUT_MS} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { id, seconds: (performance.now() - started) / 1000 };
};

/** A process that died mid-phase leaves figures that only look like a slow system. */
const assertAlive = (sut: SystemUnderTest): void => {
  const gone = sut.processes.filter((p) => peakRssMbOf(p.pid) === undefined);
  if (gone.length > 0) {
    throw new Error(`${gone.map((p) => p.role).join(', ')} exited during the phase`);
  }
};

const sum = (values: Iterable<number>): number => [...values].reduce((a, b) => a + b, 0);

const measure = async (
  system: HttpSystem,
  sut: SystemUnderTest,
  client: HttpJsonClient,
  config: HttpBenchConfig,
  step: Step,
): Promise<HttpPhaseFigures> => {
  // One token per clerk, shared by that clerk's clients; the city supervisor reads the ledger.
  const tokens = new Map<string, string>();
  for (const clerk of CLERKS)
    tokens.set(clerk.username, await client.login(clerk.username, DEMO_PASSWORD));
  const supervisor = await client.login(CITY_SUPERVISOR, DEMO_PASSWORD);
  const first = await firstCase(client, tokens.get(CLERKS[0]!.username)!, supervisor);
  step(
    `first case on the ledger after ${first.seconds.toFixed(1)} s; load of ${config.clients} clients`,
  );

  const meters: CpuMeter[] = [];
  let ledger: Awaited<ReturnType<typeof openLedgerReads>> | undefined;
  let probe: VisibilityProbe | undefined;
  try {
    for (const url of sut.allDatabases) meters.push(await CpuMeter.open(url));
    ledger = await openLedgerReads(sut.databases.supervision, client, supervisor);
    const pids = sut.processes.map((p) => p.pid);
    const watcher = new VisibilityProbe(ledger, {
      pollers: config.pollers,
      intervalMs: config.pollIntervalMs,
      timeoutMs: config.visibilityTimeoutMs,
    });
    probe = watcher;
    let inWindow = 0;
    let windowClock: CpuClock | undefined;
    let windowCpu = new Map<number, number>();
    let afterClock: CpuClock | undefined;
    let postgres: number | undefined;
    let bench = 0;
    const load = await runRegistrationLoad(client, {
      clients: config.clients,
      warmupMs: config.warmupMs,
      measureMs: config.measureMs,
      tokens,
      firstCase: 1,
      onRegistered: (id, answeredAt, measured) => {
        if (measured && ++inWindow % config.sampleEvery === 0) watcher.add(id, answeredAt);
      },
      onWindowStart: async () => {
        windowClock = new CpuClock(pids);
        await Promise.all(meters.map((m) => m.start()));
      },
      onWindowEnd: async () => {
        windowCpu = windowClock?.elapsed() ?? new Map<number, number>();
        afterClock = new CpuClock(pids);
        const uses = await Promise.all(meters.map((m) => m.stop()));
        bench = (uses[0]?.clientMicros ?? 0) / 1e6;
        postgres = uses.some((u) => u.serverMicros === undefined)
          ? undefined
          : sum(uses.map((u) => u.serverMicros ?? 0)) / 1e6;
      },
    });
    const pendingAtLoadEnd = watcher.pending();
    step(
      `${load.registrations} registrations in the window; waiting for the ledger (${pendingAtLoadEnd} samples pending) and audit`,
    );
    assertAlive(sut);
    const ids = [first.id, ...load.registeredIds];
    const [catchUp, visibility] = await Promise.all([
      waitForAuditCatchUp(sut, ids, load.endedAt, config.catchUpTimeoutMs, () => {
        assertAlive(sut);
      }),
      watcher.finish(),
    ]);
    const afterCpu = afterClock?.elapsed() ?? new Map<number, number>();
    assertAlive(sut);
    const { registeredIds: _ids, ...figures } = load;
    return {
      system,
      startSeconds: sut.startSeconds,
      firstVisibleSeconds: first.seconds,
      load: figures,
      registered: ids.length,
      visibility,
      pendingAtLoadEnd,
      catchUp,
      processes: sut.processes.map((p) => ({
        ...p,
        peakRssMb: peakRssMbOf(p.pid),
        windowCpuSeconds: windowCpu.get(p.pid) ?? 0,
        afterCpuSeconds: afterCpu.get(p.pid) ?? 0,
      })),
      postgresCpuSeconds: postgres,
      benchCpuSeconds: bench,
    };
  } catch (error) {
    probe?.abandon();
    throw error;
  } finally {
    await ledger?.close();
    await Promise.all(meters.map((m) => m.close()));
  }
};

/**
 * One system end to end: started as child processes (never in the bench's process, so
 * their memory and CPU are their own), loaded, measured, and stopped even when the
 * measurement fails.
 */
export const runHttpPhase = async (
  system: HttpSystem,
  root: string,
  config: HttpBenchConfig,
  step: Step,
): Promise<HttpPhaseFigures> => {
  const sut =
    system === 'embedded'
      ? await startEmbedded(root, config)
      : await startTopologySystem(root, config);
  step(`${system}: ready after ${sut.startSeconds.toFixed(1)} s (logs in ${sut.workDir})`);
  const client = new HttpJsonClient(sut.baseUrl, config.clients + config.pollers + 2);
  let measured = false;
  try {
    const figures = await measure(system, sut, client, config, step);
    measured = true;
    return figures;
  } finally {
    client.close();
    const stopping = performance.now();
    await sut.stop();
    step(`${system}: stopped in ${((performance.now() - stopping) / 1000).toFixed(1)} s`);
    // The logs (and the data directory's master key) are kept only when something failed.
    if (measured) await rm(sut.workDir, { recursive: true, force: true });
  }
};
