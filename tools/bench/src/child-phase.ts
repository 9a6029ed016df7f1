import { fork } from 'node:child_process';
import { runBreachDelay } from './phase-breach-delay';
import { runBreachFire } from './phase-breach-fire';
import { runBreachSeed } from './phase-breach-seed';
import { runDueClocks } from './phase-due-clocks';
import { runEmmett } from './phase-emmett';
import { runOurs } from './phase-ours';
import { runRaw } from './phase-raw';
import { runReplay } from './phase-replay';
import { runSeed } from './phase-seed';
import type { PhaseResult, PhaseSpec } from './phase-spec';

const PHASE_FLAG = '--phase';

/** How long a child may take to exit after reporting: longer means it leaked a handle. */
const EXIT_GRACE_MS = 15_000;

const dispatch = (spec: PhaseSpec): Promise<PhaseResult> => {
  switch (spec.phase) {
    case 'ours':
      return runOurs(spec);
    case 'emmett':
      return runEmmett(spec);
    case 'raw':
      return runRaw(spec);
    case 'seed':
      return runSeed(spec);
    case 'replay':
      return runReplay(spec);
    case 'due-clocks':
      return runDueClocks(spec);
    case 'breach-seed':
      return runBreachSeed(spec);
    case 'breach-fire':
      return runBreachFire(spec);
    case 'breach-delay':
      return runBreachDelay(spec);
  }
};

export const isChildInvocation = (argv: readonly string[]): boolean => argv[2] === PHASE_FLAG;

/** Child side: measure, report over IPC, then let the event loop drain to a clean exit. */
export const serveChildPhase = async (argv: readonly string[]): Promise<void> => {
  const spec = JSON.parse(argv[3] ?? '') as PhaseSpec;
  const result = await dispatch(spec);
  const send = process.send?.bind(process);
  if (!send) throw new Error('a bench phase must be started by the bench (no IPC channel)');
  await new Promise<void>((resolve, reject) =>
    send(result, (error: Error | null) => (error ? reject(error) : resolve())),
  );
  process.disconnect();
};

/**
 * Parent side. Every workload runs in a fresh process: no library's global state (Emmett's
 * dumbo swaps pg's type parsers process-wide) or heap leaks into the next workload, and
 * the replay's peak RSS is the replay's own.
 */
export const runPhaseInChild = (entry: string, spec: PhaseSpec): Promise<PhaseResult> =>
  new Promise((resolve, reject) => {
    const child = fork(entry, [PHASE_FLAG, JSON.stringify(spec)], { stdio: 'inherit' });
    let result: PhaseResult | undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    child.on('message', (message: PhaseResult) => {
      result = message;
      graceTimer = setTimeout(() => {
        child.kill('SIGKILL');
      }, EXIT_GRACE_MS);
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (graceTimer) clearTimeout(graceTimer);
      if (code === 0 && result) return resolve(result);
      reject(
        new Error(
          result
            ? `phase ${spec.phase} reported but did not exit cleanly (${signal ?? code}): a handle was left open`
            : `phase ${spec.phase} failed (exit ${signal ?? code})`,
        ),
      );
    });
  });
