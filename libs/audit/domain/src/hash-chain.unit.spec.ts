import fc from 'fast-check';
import { chainHash, GENESIS_HASH, verifyChain, type ChainLink } from './hash-chain';

const chain = (events: readonly unknown[]): ChainLink[] => {
  let prevHash = GENESIS_HASH;
  return events.map((event, i) => {
    const hash = chainHash(prevHash, event);
    const link = { position: i + 1, event, prevHash, hash };
    prevHash = hash;
    return link;
  });
};

const events = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `e${i}`, type: 'T', data: { n: i } }));

describe('the per-case hash chain', () => {
  it('hashes the previous hash and the canonical event: member order does not matter', () => {
    expect(chainHash(GENESIS_HASH, { a: 1, b: 2 })).toBe(chainHash(GENESIS_HASH, { b: 2, a: 1 }));
    expect(chainHash(GENESIS_HASH, { a: 1 })).toMatch(/^[0-9a-f]{64}$/);
    expect(chainHash(GENESIS_HASH, { a: 1 })).not.toBe(chainHash(GENESIS_HASH, { a: 2 }));
  });

  it('accepts an honest chain of any length', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 }), (n) => {
        expect(verifyChain(chain(events(n)))).toEqual({ valid: true, events: n });
      }),
    );
  });

  it('finds a modified event where it is', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.nat(), (n, k) => {
        const links = chain(events(n));
        const at = k % n;
        links[at] = { ...links[at]!, event: { tampered: true } };
        expect(verifyChain(links)).toMatchObject({
          valid: false,
          firstBadPosition: at + 1,
          fault: 'modified',
        });
      }),
    );
  });

  it('finds a removed event, renumbered or not', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 20 }), fc.nat(), fc.boolean(), (n, k, renumber) => {
        const at = k % (n - 1); // not the last: its removal needs an outside anchor
        const links = chain(events(n)).filter((_, i) => i !== at);
        const stored = renumber ? links.map((l, i) => ({ ...l, position: i + 1 })) : links;
        expect(verifyChain(stored)).toMatchObject({
          valid: false,
          firstBadPosition: at + 1,
          fault: 'missing',
        });
      }),
    );
  });

  it('finds an inserted event, forged with a valid hash or not', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.nat(), fc.boolean(), (n, k, forged) => {
        const links = chain(events(n));
        const at = k % n; // index of the new event
        const prevHash = at === 0 ? GENESIS_HASH : links[at - 1]!.hash;
        const event = { id: 'forged' };
        const inserted = {
          position: at + 1,
          event,
          prevHash,
          hash: forged ? chainHash(prevHash, event) : 'f'.repeat(64),
        };
        const stored = [...links.slice(0, at), inserted, ...links.slice(at)].map((l, i) => ({
          ...l,
          position: i + 1,
        }));
        expect(verifyChain(stored)).toMatchObject({
          valid: false,
          firstBadPosition: at + 1,
          fault: 'inserted',
        });
      }),
    );
  });

  it('finds two events swapped', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 20 }), fc.nat(), (n, k) => {
        const links = chain(events(n));
        const at = k % (n - 1);
        const [a, b] = [links[at]!, links[at + 1]!];
        links[at] = { ...b, position: a.position };
        links[at + 1] = { ...a, position: b.position };
        expect(verifyChain(links)).toMatchObject({
          valid: false,
          firstBadPosition: at + 1,
          fault: 'reordered',
        });
      }),
    );
  });

  it('verifies a chain that starts later from its anchor', () => {
    const links = chain(events(5)).slice(2);
    expect(verifyChain(links, { position: 3, prevHash: links[0]!.prevHash })).toEqual({
      valid: true,
      events: 3,
    });
    expect(verifyChain(links).valid).toBe(false);
  });
});
