import { idNumberProblem } from '@casegrid/identity';
import { idNumberOf } from './registration';

describe('idNumberOf', () => {
  it('gives valid resident id numbers, a distinct one for each n', () => {
    const ns = [0, 1, 999, 1_000, 12_345, 250_000];
    for (const n of ns) expect([n, idNumberProblem(idNumberOf(n))]).toEqual([n, undefined]);
    const many = Array.from({ length: 30_000 }, (_, n) => idNumberOf(n));
    expect(new Set(many).size).toBe(many.length);
  });
});
