import { DataKeyCache, type CachedPersonKey } from './data-key.cache';

describe('DataKeyCache', () => {
  const erased = (at: string): CachedPersonKey => ({ status: 'erased', erasedAt: at });
  let now = 0;
  const clock = (): number => now;
  beforeEach(() => {
    now = 1_000;
  });

  it('forgets an entry when its TTL has passed', () => {
    const cache = new DataKeyCache({ ttlMs: 100, maxEntries: 10, now: clock });
    cache.set('a', erased('t'));
    now += 99;
    expect(cache.get('a')).toEqual(erased('t'));
    now += 1;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('evicts the least recently used entry beyond its size', () => {
    const cache = new DataKeyCache({ ttlMs: 100, maxEntries: 2, now: clock });
    cache.set('a', erased('a'));
    cache.set('b', erased('b'));
    cache.get('a');
    cache.set('c', erased('c'));
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([
      erased('a'),
      undefined,
      erased('c'),
    ]);
  });

  it('holds nothing with a TTL of 0', () => {
    const cache = new DataKeyCache({ ttlMs: 0, maxEntries: 10, now: clock });
    cache.set('a', erased('a'));
    expect(cache.get('a')).toBeUndefined();
  });

  it('deletes on demand', () => {
    const cache = new DataKeyCache({ ttlMs: 100, maxEntries: 10, now: clock });
    cache.set('a', erased('a'));
    cache.delete('a');
    expect(cache.get('a')).toBeUndefined();
  });
});
