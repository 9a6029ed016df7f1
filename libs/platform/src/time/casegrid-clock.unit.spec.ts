import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CasegridClock } from './casegrid-clock';

describe('CasegridClock', () => {
  let real = Date.UTC(2026, 11, 1, 8, 0, 0);
  const system = () => real;

  it('runs on the system clock without a start instant', () => {
    expect(new CasegridClock(undefined, system).now().getTime()).toBe(real);
  });

  it('starts at CASEGRID_NOW and runs on from it, as real time passes', () => {
    const clock = new CasegridClock(new Date('2025-09-26T09:00:00+08:00'), system);
    expect(clock.now().toISOString()).toBe('2025-09-26T01:00:00.000Z');
    real += 90_000;
    expect(clock.now().toISOString()).toBe('2025-09-26T01:01:30.000Z');
  });

  it('travels and advances for tests', () => {
    const clock = new CasegridClock(undefined, system);
    clock.travelTo(new Date('2025-10-09T16:00:00Z'));
    clock.advance(3_600_000);
    expect(clock.now().toISOString()).toBe('2025-10-09T17:00:00.000Z');
    real += 1000;
    expect(clock.now().toISOString()).toBe('2025-10-09T17:00:01.000Z');
  });

  describe('shared through a file (CASEGRID_CLOCK_FILE)', () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'casegrid-clock-'))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('keeps its own time until the file exists, then follows every change of it', () => {
      const file = join(dir, 'clock.json');
      const start = new Date('2025-09-26T01:00:00Z');
      const follower = new CasegridClock(start, system, file);
      expect(follower.now().toISOString()).toBe('2025-09-26T01:00:00.000Z');

      // Another process's clock moves business time: this one reads it at its next now().
      const driver = new CasegridClock(undefined, system, file);
      driver.travelTo(new Date('2025-10-09T16:00:00Z'));
      expect(follower.now().toISOString()).toBe('2025-10-09T16:00:00.000Z');
      driver.advance(60_000);
      expect(follower.now().toISOString()).toBe('2025-10-09T16:01:00.000Z');
      real += 5_000;
      expect(follower.now().toISOString()).toBe('2025-10-09T16:01:05.000Z');

      // A clock started after the file was written joins the shared time at once.
      expect(new CasegridClock(undefined, system, file).now().toISOString()).toBe(
        '2025-10-09T16:01:05.000Z',
      );
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ offsetMs: expect.any(Number) });
    });

    it('refuses a file that is not an offset, instead of running on a wrong time', () => {
      const file = join(dir, 'clock.json');
      writeFileSync(file, JSON.stringify({ offsetMs: 'soon' }));
      expect(() => new CasegridClock(undefined, system, file)).toThrow(/not a business clock/);
    });
  });
});
