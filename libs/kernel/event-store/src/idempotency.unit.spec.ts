import { IDEMPOTENCY_KEY, parseIdempotencyKey, requestFingerprint } from './idempotency';

describe('parseIdempotencyKey', () => {
  it('is undefined when the header is absent', () => {
    expect(parseIdempotencyKey(undefined)).toBeUndefined();
    expect(parseIdempotencyKey([])).toBeUndefined();
  });

  it('accepts printable ASCII from 1 to 200 characters', () => {
    expect(parseIdempotencyKey('0191c0de-7e57-7abc-8def-000000000001')).toBe(
      '0191c0de-7e57-7abc-8def-000000000001',
    );
    expect(parseIdempotencyKey('k')).toBe('k');
    expect(parseIdempotencyKey('x'.repeat(200))).toHaveLength(200);
    expect(parseIdempotencyKey(['only-once'])).toBe('only-once');
  });

  it.each([
    ['empty', ''],
    ['too long', 'x'.repeat(201)],
    ['a space', 'a b'],
    ['non-ASCII', 'ключ'],
    ['a control character', 'a\tb'],
    ['a repeated header joined by Node', 'a, b'],
  ])('refuses %s as a validation error on the header', (_, header) => {
    expect(() => parseIdempotencyKey(header)).toThrow(
      expect.objectContaining({
        code: 'validation_failed',
        errors: [expect.objectContaining({ field: 'Idempotency-Key' })],
      }),
    );
  });

  it('refuses a header sent twice', () => {
    expect(() => parseIdempotencyKey(['a', 'b'])).toThrow(
      expect.objectContaining({
        code: 'validation_failed',
        errors: [{ field: 'Idempotency-Key', message: 'must be sent once' }],
      }),
    );
  });

  it('exports the pattern it checks with', () => {
    expect(IDEMPOTENCY_KEY.test('~!')).toBe(true);
    expect(IDEMPOTENCY_KEY.test(' ')).toBe(false);
  });
});

describe('requestFingerprint', () => {
  const fingerprint = (body: unknown, method = 'POST', path = '/api/v1/cases'): string =>
    requestFingerprint({ method, path, body });

  it('is a SHA-256 hex digest', () => {
    expect(fingerprint({ a: 1 })).toMatch(/^[0-9a-f]{64}$/);
  });

  it('ignores the order of object keys at every depth', () => {
    expect(fingerprint({ a: 1, b: { c: [1, { d: 2, e: 3 }], f: null } })).toBe(
      fingerprint({ b: { f: null, c: [1, { e: 3, d: 2 }] }, a: 1 }),
    );
  });

  it('keeps the order of arrays', () => {
    expect(fingerprint({ ids: [1, 2] })).not.toBe(fingerprint({ ids: [2, 1] }));
  });

  it('tells values, types, method and path apart', () => {
    const base = fingerprint({ a: 1 });
    expect(fingerprint({ a: 2 })).not.toBe(base);
    expect(fingerprint({ a: '1' })).not.toBe(base);
    expect(fingerprint({ a: 1, b: 1 })).not.toBe(base);
    expect(fingerprint({ a: 1 }, 'PUT')).not.toBe(base);
    expect(fingerprint({ a: 1 }, 'POST', '/api/v1/users')).not.toBe(base);
  });

  it('reads the request as its JSON: undefined members vanish, the method is case-blind', () => {
    expect(fingerprint({ a: 1, b: undefined })).toBe(fingerprint({ a: 1 }));
    expect(fingerprint({ a: 1 }, 'post')).toBe(fingerprint({ a: 1 }));
    expect(fingerprint(undefined)).toBe(fingerprint(null));
    expect(fingerprint({ at: new Date('2025-01-02T03:04:05Z') })).toBe(
      fingerprint({ at: '2025-01-02T03:04:05.000Z' }),
    );
  });
});
