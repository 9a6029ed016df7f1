import { performance } from 'node:perf_hooks';
import { percentile } from './closed-loop';
import type { HttpJsonClient } from './http-client';
import { CLERKS, parseRegistered, registrationBody } from './registration';

export interface RegistrationLoadOptions {
  readonly clients: number;
  readonly warmupMs: number;
  readonly measureMs: number;
  /** Bearer tokens by clerk username. */
  readonly tokens: ReadonlyMap<string, string>;
  /** The first id-number index to use (the bench registered some cases before the load). */
  readonly firstCase: number;
  /** Called for every 201, with when it arrived and whether inside the measured window. */
  readonly onRegistered: (id: string, answeredAt: number, inWindow: boolean) => void;
  /** Called as the measured window opens and closes (the CPU readings). */
  readonly onWindowStart: () => Promise<void>;
  readonly onWindowEnd: () => Promise<void>;
}

export interface RegistrationLoadResult {
  /** 201s that arrived inside the measured window. */
  readonly registrations: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Answers other than 201 inside the window, by status (`0`: no answer; `200`: a repeat). */
  readonly errors: Readonly<Record<string, number>>;
  /** 201s whose case was not dispatched by rule in the same request. */
  readonly notDispatched: number;
  /** Every case registered (warm-up and requests that ended after the window included). */
  readonly registeredIds: readonly string[];
  /** performance.now() when the last client's last request was answered. */
  readonly endedAt: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Closed loop of `POST /api/v1/cases`: each client sends its next registration when the
 * previous one was answered, each a distinct case (a fresh applicant id number). Client
 * `i` signs as clerk `i mod 4` and alternates between that clerk's two villages.
 */
export const runRegistrationLoad = async (
  client: HttpJsonClient,
  options: RegistrationLoadOptions,
): Promise<RegistrationLoadResult> => {
  const windowStart = performance.now() + options.warmupMs;
  const windowEnd = windowStart + options.measureMs;
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  const registeredIds: string[] = [];
  let notDispatched = 0;
  let next = options.firstCase;

  const loop = async (index: number): Promise<void> => {
    const clerk = CLERKS[index % CLERKS.length]!;
    const token = options.tokens.get(clerk.username);
    if (!token) throw new Error(`no token for ${clerk.username}`);
    for (let k = 0; performance.now() < windowEnd; k += 1) {
      const n = next++;
      const village = clerk.villages[k % clerk.villages.length]!;
      const began = performance.now();
      const answer = await client.send(
        'POST',
        '/api/v1/cases',
        token,
        registrationBody(n, village),
      );
      const ended = performance.now();
      const inWindow = ended >= windowStart && ended < windowEnd;
      if (answer.status === 201) {
        const registered = parseRegistered(answer.body);
        registeredIds.push(registered.id);
        if (registered.status !== 'dispatched') notDispatched += 1;
        if (inWindow) latencies.push(ended - began);
        options.onRegistered(registered.id, ended, inWindow);
        continue;
      }
      if (inWindow) errors[String(answer.status)] = (errors[String(answer.status)] ?? 0) + 1;
      // No answer at all (refused, reset): do not spin on a dead socket.
      if (answer.status === 0) await sleep(50);
    }
  };

  // The readings run in order, each once: on time by the timers, or after the loop if a
  // busy event loop made a timer late.
  let windowHooks = Promise.resolve();
  const fired = { start: false, end: false };
  const fire = (hook: 'start' | 'end'): void => {
    if (fired[hook]) return;
    fired[hook] = true;
    windowHooks = windowHooks.then(hook === 'start' ? options.onWindowStart : options.onWindowEnd);
  };
  const startTimer = setTimeout(() => fire('start'), options.warmupMs);
  const endTimer = setTimeout(() => fire('end'), options.warmupMs + options.measureMs);
  try {
    await Promise.all(Array.from({ length: options.clients }, (_, i) => loop(i)));
  } finally {
    clearTimeout(startTimer);
    clearTimeout(endTimer);
    fire('start');
    fire('end');
  }
  const endedAt = performance.now();
  await windowHooks;

  const sorted = Float64Array.from(latencies).sort();
  const seconds = options.measureMs / 1000;
  return {
    registrations: sorted.length,
    seconds,
    perSecond: sorted.length / seconds,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    errors,
    notDispatched,
    registeredIds,
    endedAt,
  };
};
