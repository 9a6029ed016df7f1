import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';

export type ReadinessCheck = () => Promise<void>;

export const READINESS_TIMEOUT_MS = 2_000;

export interface ReadinessReport {
  readonly status: 'ok' | 'error';
  readonly checks: Readonly<Record<string, 'ok' | 'error'>>;
  /** The message of each failing check, by name. */
  readonly failures?: Readonly<Record<string, string>>;
  /** What is degraded without making the process unready, by name. */
  readonly warnings?: Readonly<Record<string, string>>;
}

/**
 * What "ready" means is owned by whoever owns a dependency: each service module and each
 * infrastructure adapter (database, broker, Redis) registers its own check at startup, so
 * this registry knows names and functions, never PostgreSQL or Kafka.
 */
@Injectable()
export class ReadinessRegistry implements BeforeApplicationShutdown {
  private readonly checks = new Map<string, ReadinessCheck>();
  private readonly warnings = new Map<string, ReadinessCheck>();
  private shuttingDown = false;

  register(name: string, check: ReadinessCheck): void {
    if (this.checks.has(name)) throw new Error(`readiness check "${name}" is already registered`);
    this.checks.set(name, check);
  }

  /** A check whose failure is reported under `warnings` and leaves the process ready. */
  registerWarning(name: string, check: ReadinessCheck): void {
    if (this.warnings.has(name))
      throw new Error(`readiness warning "${name}" is already registered`);
    this.warnings.set(name, check);
  }

  /** Runs every check at once, each bounded by `timeoutMs`, and reports all of them. */
  async report(timeoutMs: number = READINESS_TIMEOUT_MS): Promise<ReadinessReport> {
    const entries = [...this.checks].map(async ([name, check]) => {
      try {
        await withTimeout(check, timeoutMs);
        return [name, undefined] as const;
      } catch (error: unknown) {
        return [name, error instanceof Error ? error.message : String(error)] as const;
      }
    });
    const warned = [...this.warnings].map(async ([name, check]) => {
      try {
        await withTimeout(check, timeoutMs);
        return undefined;
      } catch (error: unknown) {
        return [name, error instanceof Error ? error.message : String(error)] as const;
      }
    });
    const [outcomes, warningOutcomes] = await Promise.all([
      Promise.all(entries),
      Promise.all(warned),
    ]);
    const warnings = Object.fromEntries(warningOutcomes.filter((w) => w !== undefined));
    const degraded = Object.keys(warnings).length > 0 ? { warnings } : {};
    // Going unready first lets a load balancer drain this instance before it closes.
    if (this.shuttingDown) outcomes.push(['shutdown', 'the process is shutting down']);
    const checks: Record<string, 'ok' | 'error'> = {};
    const failures: Record<string, string> = {};
    for (const [name, failure] of outcomes) {
      checks[name] = failure === undefined ? 'ok' : 'error';
      if (failure !== undefined) failures[name] = failure;
    }
    return Object.keys(failures).length === 0
      ? { status: 'ok', checks, ...degraded }
      : { status: 'error', checks, failures, ...degraded };
  }

  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
  }
}

async function withTimeout(check: ReadinessCheck, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    // Called inside the race so that a check that throws synchronously fails like any other.
    await Promise.race([Promise.resolve().then(check), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
