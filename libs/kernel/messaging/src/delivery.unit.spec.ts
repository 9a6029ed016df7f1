import { MalformedMessageError } from '@casegrid/contracts';
import { ConcurrencyError, IllegalStateError, UnavailableError } from '@casegrid/kernel';
import { backoffMs, classifyError, deliver, DEFAULT_RETRY, type DeliveryHooks } from './delivery';
import type { DeliveredMessage } from './transport';

const message: DeliveredMessage = {
  topic: 'casegrid.case-events',
  partition: 2,
  offset: '41',
  key: 'case-1',
  headers: { ce_id: 'e-1' },
  value: '{}',
};

const hooks = (overrides: Partial<DeliveryHooks> = {}) => {
  const parked: unknown[] = [];
  const slept: number[] = [];
  const h: DeliveryHooks = {
    deadLetter: async (record) => void parked.push(record),
    sleep: async (ms) => void slept.push(ms),
    running: () => true,
    ...overrides,
  };
  return { h, parked, slept };
};

describe('classifyError', () => {
  it.each([
    ['an unreadable message', new MalformedMessageError('bad'), 'poison'],
    ['a domain rejection', new IllegalStateError('closed'), 'poison'],
    ['a concurrency conflict', new ConcurrencyError('s', 1, 2), 'unknown'],
    ['reference data not there yet', new UnavailableError('replicating'), 'transient'],
    ['a refused connection', Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), 'transient'],
    ['PostgreSQL shutting down', Object.assign(new Error('x'), { code: '57P01' }), 'transient'],
    ['a serialization failure', Object.assign(new Error('x'), { code: '40001' }), 'transient'],
    ['a unique violation', Object.assign(new Error('x'), { code: '23505' }), 'unknown'],
    ['a bug', new TypeError('undefined is not a function'), 'unknown'],
  ])('classifies %s', (_what, error, expected) => {
    expect(classifyError(error)).toBe(expected);
  });
});

describe('deliver', () => {
  it('parks poison at once with where it came from and why', async () => {
    const { h, parked, slept } = hooks();
    const outcome = await deliver(
      'audit',
      message,
      () => Promise.reject(new MalformedMessageError('no ce_id')),
      h,
    );
    expect(outcome).toBe('dead-lettered');
    expect(slept).toEqual([]);
    expect(parked).toEqual([
      expect.objectContaining({
        topic: 'casegrid.case-events.dlq.audit',
        key: 'case-1',
        value: '{}',
        headers: expect.objectContaining({
          ce_id: 'e-1',
          dlq_original_partition: '2',
          dlq_original_offset: '41',
          dlq_error_code: 'malformed_message',
          dlq_attempts: '1',
        }),
      }),
    ]);
  });

  it('retries an unknown failure with growing backoff, then parks it', async () => {
    const { h, parked, slept } = hooks();
    let calls = 0;
    const outcome = await deliver(
      'g',
      message,
      () => Promise.reject(new Error(`boom ${++calls}`)),
      h,
    );
    expect(outcome).toBe('dead-lettered');
    expect(calls).toBe(DEFAULT_RETRY.maxAttempts);
    expect(slept).toEqual([100, 200, 400, 800]);
    expect(parked).toHaveLength(1);
  });

  it('keeps retrying an infrastructure failure past maxAttempts until it succeeds', async () => {
    const { h, parked } = hooks();
    let calls = 0;
    const handle = async () => {
      calls += 1;
      if (calls < 12) throw Object.assign(new Error('down'), { code: 'ECONNREFUSED' });
    };
    expect(await deliver('g', message, handle, h)).toBe('handled');
    expect(calls).toBe(12);
    expect(parked).toEqual([]);
  });

  it('gives up without parking when the subscriber stops', async () => {
    let running = true;
    const { h, parked } = hooks({
      running: () => running,
      sleep: async () => void (running = false),
    });
    const outcome = await deliver(
      'g',
      message,
      () => Promise.reject(Object.assign(new Error('down'), { code: 'ECONNRESET' })),
      h,
    );
    expect(outcome).toBe('stopped');
    expect(parked).toEqual([]);
  });

  it('caps the backoff', () => {
    expect(backoffMs(DEFAULT_RETRY, 30)).toBe(DEFAULT_RETRY.maxBackoffMs);
  });
});
