import { CALENDAR } from './mediation.fixtures';
import { isWithinWindow, judicialConfirmationWindow } from './mediation.window';

describe('the judicial-confirmation window (人民调解法 Art 33, 30日)', () => {
  it.each([
    // Monday: day 1 is Tuesday 03-03, day 30 Wednesday 04-01, a working day.
    ['2026-03-02T10:00:00+08:00', '2026-04-01'],
    // Day 30 is 2025-10-01, National Day: rolled past the holiday to Thursday 10-09.
    ['2025-09-01T10:00:00+08:00', '2025-10-09'],
    // Late evening China time is still that China date (UTC says the day before).
    ['2026-03-01T23:30:00+08:00', '2026-03-31'],
  ])('signed %s: the last day is %s, ending at 24:00 China time', (signedAt, lastDay) => {
    const window = judicialConfirmationWindow(CALENDAR, new Date(signedAt));
    expect(window.lastDay).toBe(lastDay);
    const midnightAfter = new Date(`${lastDay}T00:00:00+08:00`).getTime() + 86_400_000;
    expect(window.dueAt.getTime()).toBe(midnightAfter);
  });
  it('includes the signing instant and excludes the end', () => {
    const due = '2026-04-01T16:00:00.000Z';
    const signed = '2026-03-02T10:00:00+08:00';
    expect(isWithinWindow(signed, due, signed)).toBe(true);
    expect(isWithinWindow(signed, due, '2026-04-01T23:59:59.999+08:00')).toBe(true);
    expect(isWithinWindow(signed, due, '2026-04-02T00:00:00+08:00')).toBe(false);
    expect(isWithinWindow(signed, due, '2026-03-02T09:59:59+08:00')).toBe(false);
  });
});
