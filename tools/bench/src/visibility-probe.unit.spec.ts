import { performance } from 'node:perf_hooks';
import { VisibilityProbe, type LedgerReads } from './visibility-probe';

/** A ledger whose table shows a case `delayMs` after it was added, and whose read follows it. */
const fakeLedger = (delayMs: Record<string, number>) => {
  const added = new Map<string, number>();
  let reads = 0;
  const visible = (id: string) =>
    added.has(id) && performance.now() - added.get(id)! >= (delayMs[id] ?? 0);
  const ledger: LedgerReads = {
    present: async (ids) => new Set(ids.filter(visible)),
    read: async (id) => {
      reads += 1;
      return visible(id) ? 200 : 404;
    },
  };
  return { ledger, added, reads: () => reads };
};

describe('VisibilityProbe', () => {
  it('times each sample from its 201 to its first 200, reading each once over HTTP', async () => {
    const { ledger, added, reads } = fakeLedger({ a: 30, b: 120 });
    const probe = new VisibilityProbe(ledger, { pollers: 2, intervalMs: 5, timeoutMs: 5_000 });
    for (const id of ['a', 'b']) {
      added.set(id, performance.now());
      probe.add(id, performance.now());
    }
    const result = await probe.finish();
    expect(result).toMatchObject({ samples: 2, visible: 2, neverVisible: 0, reads: 2 });
    expect(result.p50Ms).toBeGreaterThanOrEqual(30);
    expect(result.maxMs).toBeGreaterThanOrEqual(120);
    expect(result.maxMs).toBeLessThan(1_000);
    expect(reads()).toBe(2);
  });

  it('reports a sample the ledger never shows as never visible, and infinitely late', async () => {
    const { ledger, added } = fakeLedger({ late: 1e9, soon: 0 });
    const probe = new VisibilityProbe(ledger, { pollers: 1, intervalMs: 5, timeoutMs: 60 });
    for (const id of ['late', 'soon']) {
      added.set(id, performance.now());
      probe.add(id, performance.now());
    }
    const result = await probe.finish();
    expect(result).toMatchObject({ samples: 2, visible: 1, neverVisible: 1 });
    expect(result.readErrors).toEqual({ '404': 1 });
    expect(result.maxMs).toBe(Number.POSITIVE_INFINITY);
  });
});
