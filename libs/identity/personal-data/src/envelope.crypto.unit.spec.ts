import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import {
  isSealed,
  openWithKey,
  parseSealed,
  personIdOf,
  sealWithKey,
  type SealedPersonalData,
} from './envelope.crypto';

describe('sealWithKey / openWithKey', () => {
  const key = randomBytes(32);
  const person = randomUUID();

  it('round-trips any unicode field names and values, lone surrogates included', () => {
    const fields = fc.dictionary(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }));
    fc.assert(
      fc.property(fields, (f) => {
        expect(openWithKey(key, sealWithKey(key, person, f))).toEqual(f);
      }),
      { numRuns: 300 },
    );
  });

  it('writes pd1.<personId>.<iv>.<body> and says whose data it is', () => {
    const sealed = sealWithKey(key, person.toUpperCase(), { name: '张三' });
    expect(sealed).toMatch(/^pd1\.[0-9a-f-]{36}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(personIdOf(sealed)).toBe(person);
    expect(isSealed(sealed)).toBe(true);
  });

  it('uses a fresh IV every time, so equal fields give unequal ciphertexts', () => {
    expect(sealWithKey(key, person, { a: 'b' })).not.toBe(sealWithKey(key, person, { a: 'b' }));
  });

  it('never shows the clear text, in UTF-8 or in base64', () => {
    const text = fc.string({ unit: 'grapheme', minLength: 8, maxLength: 40 });
    fc.assert(
      fc.property(text, (value) => {
        const sealed = sealWithKey(key, person, { name: value });
        const body = parseSealed(sealed).body;
        const utf8 = Buffer.from(value, 'utf8');
        expect(sealed).not.toContain(value);
        expect(body.includes(utf8)).toBe(false);
        for (const encoding of ['base64', 'base64url'] as const) {
          expect(sealed).not.toContain(utf8.toString(encoding).replace(/=+$/, ''));
        }
      }),
    );
  });

  describe('tampering', () => {
    const sealed = sealWithKey(key, person, { name: 'Li Si', idNumber: '11010519491231002X' });

    it('refuses an edit of any character of the sealed string', () => {
      for (let i = 0; i < sealed.length; i++) {
        const replacement = sealed[i] === 'A' ? 'B' : 'A';
        const edited = sealed.slice(0, i) + replacement + sealed.slice(i + 1);
        expect(() => openWithKey(key, edited)).toThrow(
          expect.objectContaining({
            code: expect.stringMatching(/^personal_data_(tampered|malformed)$/),
          }),
        );
      }
    });

    it('refuses a flip of any bit of the iv, ciphertext or tag', () => {
      const { iv, body } = parseSealed(sealed);
      const bytes = Buffer.concat([iv, body]);
      fc.assert(
        fc.property(fc.nat(bytes.length * 8 - 1), (bit) => {
          const flipped = Buffer.from(bytes);
          flipped[bit >> 3]! ^= 1 << (bit & 7);
          const edited = `pd1.${person}.${flipped.subarray(0, 12).toString('base64url')}.${flipped
            .subarray(12)
            .toString('base64url')}`;
          expect(() => openWithKey(key, edited)).toThrow(
            expect.objectContaining({ code: 'personal_data_tampered' }),
          );
        }),
      );
    });

    it('binds the ciphertext to its person: moved to another id it does not open', () => {
      const moved = sealed.replace(person, randomUUID());
      expect(() => openWithKey(key, moved)).toThrow(
        expect.objectContaining({ code: 'personal_data_tampered' }),
      );
    });

    it('does not open under another data key', () => {
      expect(() => openWithKey(randomBytes(32), sealed)).toThrow(
        expect.objectContaining({ code: 'personal_data_tampered' }),
      );
    });
  });

  describe('parsing', () => {
    const good = sealWithKey(key, person, { a: 'b' });

    it.each([
      ['another version', good.replace(/^pd1/, 'pd2')],
      ['a missing part', good.split('.').slice(0, 3).join('.')],
      ['an extra part', `${good}.x`],
      ['an upper-case id', good.replace(person, person.toUpperCase())],
      ['padding', `${good}=`],
      ['a short iv', good.replace(/^(pd1\.[^.]+\.)[^.]+/, '$1AAAA')],
      ['a body no longer than a tag', good.replace(/[^.]+$/, 'A'.repeat(22))],
      ['plain text', 'Wang Wu'],
    ])('rejects %s as malformed', (_, text) => {
      expect(() => parseSealed(text)).toThrow(
        expect.objectContaining({ code: 'personal_data_malformed' }),
      );
      expect(isSealed(text)).toBe(false);
    });

    it('rejects a non-canonical base64url ending that decodes to the same bytes', () => {
      const body = good.slice(good.lastIndexOf('.') + 1);
      const last = body.at(-1)!;
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const twins = [...alphabet].filter(
        (c) =>
          c !== last &&
          Buffer.from(body.slice(0, -1) + c, 'base64url').equals(Buffer.from(body, 'base64url')),
      );
      for (const twin of twins) {
        expect(isSealed(good.slice(0, -1) + twin)).toBe(false);
      }
    });

    it('is not fooled by non-strings', () => {
      expect(isSealed(42)).toBe(false);
      expect(isSealed(undefined)).toBe(false);
    });
  });

  it('refuses to seal for an id that is not a UUID, or a value that is not a string', () => {
    expect(() => sealWithKey(key, 'person-1', {})).toThrow(
      expect.objectContaining({ code: 'validation_failed' }),
    );
    const notAString = { phone: 13800138000 } as unknown as Record<string, string>;
    expect(() => sealWithKey(key, person, notAString)).toThrow(
      expect.objectContaining({ code: 'validation_failed' }),
    );
  });

  it('types a sealed string as such', () => {
    const s: SealedPersonalData = sealWithKey(key, person, {});
    expect(openWithKey(key, s)).toEqual({});
  });
});
