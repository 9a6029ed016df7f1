/**
 * The one source of "now" for business time: deadlines, event times, statutory windows.
 * Production runs on the system clock. `CASEGRID_NOW` (refused in production) starts the
 * clock at an instant and lets it run on from there, so a demo or an acceptance run can
 * replay a real calendar (a letter received the week before National Day) end to end.
 * Tests move it with `travelTo`/`advance` to make days pass in milliseconds.
 *
 * Security time (token expiry, key rotation) is never this clock: it stays real.
 */
export class CasegridClock {
  private offsetMs: number;

  constructor(
    startAt?: Date,
    private readonly system: () => number = Date.now,
  ) {
    this.offsetMs = startAt ? startAt.getTime() - system() : 0;
  }

  now(): Date {
    return new Date(this.system() + this.offsetMs);
  }

  /** Jumps to `instant` and runs on from it (tests and demos only). */
  travelTo(instant: Date): void {
    this.offsetMs = instant.getTime() - this.system();
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

/** Injection token of the process's `CasegridClock`. */
export const CASEGRID_CLOCK = Symbol('CASEGRID_CLOCK');
