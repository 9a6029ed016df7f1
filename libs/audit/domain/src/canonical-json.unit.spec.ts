import { canonicalJson } from './canonical-json';

describe('RFC 8785 canonical JSON', () => {
  it('sorts members by UTF-16 code units and drops whitespace (RFC 8785 §3.2.3 example)', () => {
    const value = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    expect(canonicalJson(value)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('writes numbers as ECMAScript does (RFC 8785 Appendix B)', () => {
    expect(canonicalJson([333333333.3333333, 1e30, 4.5, 2e-3, 0.000001, 1e-7, -0, 1e21])).toBe(
      '[333333333.3333333,1e+30,4.5,0.002,0.000001,1e-7,0,1e+21]',
    );
    expect(() => canonicalJson(Number.NaN)).toThrow(TypeError);
  });

  it('keeps array order and nests, escaping strings minimally', () => {
    expect(canonicalJson({ b: [3, { z: null, a: true }], a: 'line\n"quoted"\u001f' })).toBe(
      '{"a":"line\\n\\"quoted\\"\\u001f","b":[3,{"a":true,"z":null}]}',
    );
  });

  it('is the same for any member order', () => {
    expect(canonicalJson({ a: 1, b: { c: 2, d: 3 } })).toBe(
      canonicalJson({ b: { d: 3, c: 2 }, a: 1 }),
    );
  });
});
