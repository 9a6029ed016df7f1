import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';

/**
 * The one source of "now" for business time: deadlines, event times, statutory windows.
 * Production runs on the system clock. `CASEGRID_NOW` (refused in production) starts the
 * clock at an instant and lets it run on from there, so a demo or an acceptance run can
 * replay a real calendar (a letter received the week before National Day) end to end.
 * Tests move it with `travelTo`/`advance` to make days pass in milliseconds.
 *
 * `CASEGRID_CLOCK_FILE` (refused in production too) makes the clocks of several processes
 * one clock: each reads its offset from the file whenever the file changes, and `travelTo`
 * writes it, so that a spec drives business time across a multi-process topology the way
 * it drives one process's. The file is replaced whole (written aside, then renamed): a
 * reader sees the old offset or the new one, never half of one.
 *
 * Security time (token expiry, key rotation) is never this clock: it stays real.
 */
export class CasegridClock {
  private offsetMs: number;
  /** The shared file as last read (inode, change time, size): unchanged, not read again. */
  private seen = '';

  constructor(
    startAt?: Date,
    private readonly system: () => number = Date.now,
    private readonly sharedFile?: string,
  ) {
    this.offsetMs = startAt ? startAt.getTime() - system() : 0;
    if (sharedFile !== undefined) this.follow(sharedFile);
  }

  now(): Date {
    if (this.sharedFile !== undefined) this.follow(this.sharedFile);
    return new Date(this.system() + this.offsetMs);
  }

  /** Jumps to `instant` and runs on from it (tests and demos only). */
  travelTo(instant: Date): void {
    this.setOffset(instant.getTime() - this.system());
  }

  advance(ms: number): void {
    if (this.sharedFile !== undefined) this.follow(this.sharedFile);
    this.setOffset(this.offsetMs + ms);
  }

  private setOffset(offsetMs: number): void {
    this.offsetMs = offsetMs;
    if (this.sharedFile === undefined) return;
    const aside = `${this.sharedFile}.${process.pid}`;
    writeFileSync(aside, JSON.stringify({ offsetMs }));
    renameSync(aside, this.sharedFile);
    this.follow(this.sharedFile);
  }

  /** Takes the shared offset when the file is new or changed; none yet: the clock's own. */
  private follow(file: string): void {
    const stat = statSync(file, { throwIfNoEntry: false });
    if (stat === undefined) return;
    const identity = `${stat.ino}:${stat.ctimeMs}:${stat.size}`;
    if (identity === this.seen) return;
    const { offsetMs } = JSON.parse(readFileSync(file, 'utf8')) as { offsetMs: unknown };
    if (typeof offsetMs !== 'number' || !Number.isFinite(offsetMs)) {
      throw new Error(`${file}: not a business clock's offset`);
    }
    this.offsetMs = offsetMs;
    this.seen = identity;
  }
}

/** Injection token of the process's `CasegridClock`. */
export const CASEGRID_CLOCK = Symbol('CASEGRID_CLOCK');
