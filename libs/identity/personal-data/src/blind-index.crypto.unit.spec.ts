import { randomBytes } from 'node:crypto';
import { blindIndex, deriveIndexKey, normaliseIndexValue } from './blind-index.crypto';
import { deriveSubkey } from './local-key-encryption-key.crypto';

describe('blindIndex', () => {
  const master = randomBytes(32);
  const key = deriveIndexKey(master);
  const idNumber = '11010519491231002X';

  it('gives the same hex token for the same value, however it was typed', () => {
    const token = blindIndex(key, 'applicant.id_number', idNumber);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    for (const typed of [' 11010519491231002x ', '１１０１０５１９４９１２３１００２Ｘ']) {
      expect(blindIndex(key, 'applicant.id_number', typed)).toBe(token);
    }
    expect(normaliseIndexValue(' 11010519491231002x\t')).toBe(idNumber);
  });

  it('separates values, purposes and keys', () => {
    const token = blindIndex(key, 'applicant.id_number', idNumber);
    expect(blindIndex(key, 'applicant.id_number', '110105194912310038')).not.toBe(token);
    expect(blindIndex(key, 'applicant.phone', idNumber)).not.toBe(token);
    expect(blindIndex(deriveIndexKey(randomBytes(32)), 'applicant.id_number', idNumber)).not.toBe(
      token,
    );
  });

  it('derives an index key apart from the master and its wrapping key', () => {
    expect(Buffer.from(key).equals(master)).toBe(false);
    expect(Buffer.from(key).equals(deriveSubkey(master, 'casegrid/kek/wrap/v1'))).toBe(false);
    expect(Buffer.from(deriveIndexKey(master)).equals(Buffer.from(key))).toBe(true);
  });

  it('refuses a blank value or an odd purpose', () => {
    expect(() => blindIndex(key, 'applicant.id_number', '  ')).toThrow(
      expect.objectContaining({ code: 'validation_failed' }),
    );
    expect(() => blindIndex(key, 'Applicant ID', idNumber)).toThrow(
      expect.objectContaining({ code: 'validation_failed' }),
    );
  });
});
