import type { SupervisionCommand } from './supervision.decider';
import { DEPT, History, errorOf, events as e } from './testing/case-history.fixtures';

/** A dispute accepted on Monday 10 March 2025 (UTC times; China time is UTC+8). */
const ACCEPTED = '2025-03-10T03:00:00.000Z';
const meta = (now: string) => ({ actor: 'u-head', correlationId: 'c', now: new Date(now) });
const pause = (now: string, clockId: string): SupervisionCommand => ({
  type: 'PauseDeadline',
  data: { clockId, reason: '等待伤情鉴定结论', approvedBy: '所长 李明' },
  metadata: meta(now),
});
const resume = (now: string, clockId: string): SupervisionCommand => ({
  type: 'ResumeDeadline',
  data: { clockId },
  metadata: meta(now),
});
const extend = (now: string, clockId: string, length: number): SupervisionCommand => ({
  type: 'ExtendDeadline',
  data: { clockId, length, reason: '案情复杂', approvedBy: '所长 李明' },
  metadata: meta(now),
});

const accepted = () =>
  History.of().observe(
    e.registered('2025-03-10T01:00:00.000Z'),
    e.dispatched('2025-03-10T02:00:00.000Z', DEPT.committee, []),
    e.accepted(ACCEPTED, 'direct'),
  );

describe('deadlines changed by hand (中止, 延期)', () => {
  // resolve.minor: 5 working days from Monday 10 March → 24:00 Monday 17 March.
  const resolveClock = () => accepted().clock('resolve', DEPT.committee);

  it('the handling clock runs five working days', () => {
    expect(resolveClock().dueAt).toBe('2025-03-17T16:00:00.000Z');
  });

  describe('a pause and its resumption', () => {
    it('stops the clock with its reason and approver, then adds the paused working days', () => {
      const id = resolveClock().clockId;
      const paused = accepted().command(pause('2025-03-11T02:00:00.000Z', id));
      expect(paused.clock('resolve', DEPT.committee)).toMatchObject({
        state: 'paused',
        basis: { pauses: [{ reason: '等待伤情鉴定结论', approvedBy: '所长 李明', to: null }] },
      });
      // Paused Tuesday 11th, resumed Thursday 13th: two working days (12th, 13th) added.
      const resumed = paused.command(resume('2025-03-13T02:00:00.000Z', id));
      expect(resumed.clock('resolve', DEPT.committee)).toMatchObject({
        state: 'running',
        dueAt: '2025-03-19T16:00:00.000Z',
        basis: { pauses: [{ length: 2, to: '2025-03-13T02:00:00.000Z' }] },
      });
    });

    it('does not fire while paused', () => {
      const id = resolveClock().clockId;
      const paused = accepted().command(pause('2025-03-11T02:00:00.000Z', id));
      expect(paused.fire('2025-03-25T02:00:00.000Z').of('DeadlineBreached')).toEqual([]);
    });

    it('refuses a second pause, a resume of a running clock and an unknown clock', () => {
      const id = resolveClock().clockId;
      const paused = accepted().command(pause('2025-03-11T02:00:00.000Z', id));
      expect(errorOf(() => paused.command(pause('2025-03-12T02:00:00.000Z', id)))).toMatchObject({
        code: 'illegal_state',
        message: expect.stringMatching(/already paused/) as string,
      });
      expect(
        errorOf(() => accepted().command(resume('2025-03-12T02:00:00.000Z', id))),
      ).toMatchObject({
        code: 'illegal_state',
      });
      expect(
        errorOf(() => accepted().command(pause('2025-03-12T02:00:00.000Z', 'c99'))),
      ).toMatchObject({
        code: 'validation_failed',
      });
    });
  });

  describe('an extension', () => {
    it('moves the due time within the policy, once, naming the approver', () => {
      const id = resolveClock().clockId;
      const extended = accepted().command(extend('2025-03-12T02:00:00.000Z', id, 3));
      expect(extended.clock('resolve', DEPT.committee)).toMatchObject({
        dueAt: '2025-03-20T16:00:00.000Z',
        basis: { extensions: [{ length: 3, unit: 'working_days', approvedBy: '所长 李明' }] },
      });
      expect(
        errorOf(() => extended.command(extend('2025-03-13T02:00:00.000Z', id, 1))),
      ).toMatchObject({
        code: 'illegal_state',
        message: expect.stringMatching(/allows 1 extension/) as string,
      });
    });

    it('refuses more than the policy’s total, a clock that allows none, and a breached one', () => {
      const history = accepted();
      const id = history.clock('resolve', DEPT.committee).clockId;
      expect(
        errorOf(() => history.command(extend('2025-03-12T02:00:00.000Z', id, 6))),
      ).toMatchObject({
        message: expect.stringMatching(/at most 5 working_days/) as string,
      });
      const dispatched = History.of().observe(
        e.registered('2025-03-10T01:00:00.000Z'),
        e.dispatched('2025-03-10T02:00:00.000Z', DEPT.committee, []),
      );
      const accept = dispatched.clock('accept', DEPT.committee).clockId;
      expect(
        errorOf(() => dispatched.command(extend('2025-03-10T05:00:00.000Z', accept, 1))),
      ).toMatchObject({
        message: expect.stringMatching(/allows no extension/) as string,
      });
      const breached = dispatched.fire('2025-03-11T16:00:01.000Z');
      expect(
        errorOf(() => breached.command(pause('2025-03-12T02:00:00.000Z', accept))),
      ).toMatchObject({
        message: expect.stringMatching(/cannot undo lateness/) as string,
      });
    });
  });
});
