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
});
