import { ConcurrencyError } from '@casegrid/kernel';
import { conflictBackoffMs, retryOnConflict } from './case-commands';

describe('retryOnConflict', () => {
  it('decides again after a conflict, up to five tries, and gives the last conflict back', async () => {
    let tries = 0;
    const won = await retryOnConflict(true, async () => {
      tries += 1;
      if (tries < 3) throw new ConcurrencyError('case-1', tries, tries + 1);
      return 'appended';
    });
    expect([won, tries]).toEqual(['appended', 3]);

    tries = 0;
    const lost = retryOnConflict(true, async () => {
      tries += 1;
      throw new ConcurrencyError('case-1', tries, tries + 1);
    });
    await expect(lost).rejects.toBeInstanceOf(ConcurrencyError);
    expect(tries).toBe(5);
  });

  it('answers the conflict at once under If-Match, and never retries another error', async () => {
    let tries = 0;
    const conditional = retryOnConflict(false, async () => {
      tries += 1;
      throw new ConcurrencyError('case-1', 1, 2);
    });
    await expect(conditional).rejects.toBeInstanceOf(ConcurrencyError);
    const broken = retryOnConflict(true, async () => {
      tries += 1;
      throw new RangeError('a bug');
    });
    await expect(broken).rejects.toBeInstanceOf(RangeError);
    expect(tries).toBe(2);
  });

  it('waits a random while before each new try, doubling its bound: 10, 20, 40, 80 ms', () => {
    expect([1, 2, 3, 4].map((n) => conflictBackoffMs(n, () => 0.999))).toEqual([9, 19, 39, 79]);
    expect([1, 2, 3, 4].map((n) => conflictBackoffMs(n, () => 0))).toEqual([0, 0, 0, 0]);
  });
});
