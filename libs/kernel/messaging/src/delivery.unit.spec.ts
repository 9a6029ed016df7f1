import { MalformedMessageError } from '@casegrid/contracts';
import { ConcurrencyError, IllegalStateError, UnavailableError } from '@casegrid/kernel';
import { backoffMs, classifyError, deadLetterMessage, DEFAULT_RETRY } from './delivery';
import type { DeliveredMessage } from './transport';

const message: DeliveredMessage = {
  topic: 'casegrid.case-events',
  partition: 2,
  offset: '41',
  key: 'case-1',
  headers: { ce_id: 'e-1' },
  value: '{}',
};

describe('classifyError', () => {
  it.each([
    ['an unreadable message', new MalformedMessageError('bad'), 'poison'],
    ['a domain rejection', new IllegalStateError('closed', 'supervision.case_closed'), 'poison'],
    ['a concurrency conflict', new ConcurrencyError('s', 1, 2), 'transient'],
    ['a connection cut mid-query', new Error('Connection terminated unexpectedly'), 'transient'],
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

describe('deadLetterMessage', () => {
  it('says where the message came from, why and after how many attempts', () => {
    const error = Object.assign(new MalformedMessageError('no ce_id'));
    expect(deadLetterMessage('audit', message, error, 1, new Date('2026-12-02T01:00:00Z'))).toEqual(
      {
        topic: 'casegrid.case-events.dlq.audit',
        key: 'case-1',
        value: '{}',
        headers: {
          ce_id: 'e-1',
          dlq_original_topic: 'casegrid.case-events',
          dlq_original_partition: '2',
          dlq_original_offset: '41',
          dlq_consumer_group: 'audit',
          dlq_attempts: '1',
          dlq_failed_at: '2026-12-02T01:00:00.000Z',
          dlq_error_code: 'malformed_message',
          dlq_error_message: 'no ce_id',
        },
      },
    );
  });
});

describe('backoffMs', () => {
  it('doubles from the initial backoff', () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(DEFAULT_RETRY, n))).toEqual([100, 200, 400, 800]);
  });

  it('caps the backoff', () => {
    expect(backoffMs(DEFAULT_RETRY, 30)).toBe(DEFAULT_RETRY.maxBackoffMs);
  });
});
