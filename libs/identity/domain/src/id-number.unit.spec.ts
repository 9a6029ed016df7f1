import { idNumberCheckCharacter, idNumberProblem, isPhoneNumber } from './id-number';

const TODAY = new Date('2026-11-22T00:00:00Z');

describe('resident id numbers', () => {
  it('accepts a number with its check character (GB 11643 example 11010519491231002X)', () => {
    expect(idNumberProblem('11010519491231002X', TODAY)).toBeUndefined();
    expect(idNumberProblem('11010519491231002x', TODAY)).toBeUndefined();
    expect(idNumberCheckCharacter('37010219900307123')).toBe('8');
    expect(idNumberProblem('370102199003071238', TODAY)).toBeUndefined();
  });

  it.each([
    ['370102199003071234', 'check_digit'],
    ['370102199002301230', 'birth_date'],
    ['370102203003071237', 'birth_date'],
    ['37010219900307123', 'format'],
    ['37010219900307123Y', 'format'],
  ] as const)('refuses %s: %s', (id, problem) => {
    expect(idNumberProblem(id, TODAY)).toBe(problem);
  });

  it('accepts the phone numbers clerks type and refuses the rest', () => {
    for (const ok of [
      '13812345678',
      '+8613812345678',
      '138 1234 5678',
      '0531-86001234',
      '053186001234',
    ]) {
      expect(isPhoneNumber(ok)).toBe(true);
    }
    for (const bad of ['12345', '1381234567', '23812345678', 'phone', '12812345678']) {
      expect(isPhoneNumber(bad)).toBe(false);
    }
  });
});
