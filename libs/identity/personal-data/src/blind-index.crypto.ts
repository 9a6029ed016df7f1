import { createHmac } from 'node:crypto';
import { ValidationError } from '@casegrid/kernel';
import { deriveSubkey } from './local-key-encryption-key.crypto';

const PURPOSE = /^[a-z][a-z0-9_.-]{0,63}$/;

/**
 * The blind-index key, derived from the master key apart from the wrapping key. It is as
 * secret as the master: with it, an id number (a small, structured space) can be guessed
 * from its index by brute force.
 */
export const deriveIndexKey = (masterKey: Uint8Array): Uint8Array =>
  new Uint8Array(deriveSubkey(masterKey, 'casegrid/blind-index/v1'));

/**
 * How values are compared: NFKC folds full-width digits and letters typed on Chinese
 * keyboards into ASCII, then surrounding space goes and the check letter `x` becomes `X`.
 */
export const normaliseIndexValue = (value: string): string =>
  value.normalize('NFKC').trim().toUpperCase();

/**
 * A keyed, deterministic token of a value, to find "the same id number" again without
 * storing it: HMAC-SHA256 under a key per purpose, so an applicant's id-number index and,
 * say, a phone index cannot be joined. Hex.
 *
 * An index outlives crypto-shredding, so keep it out of events: store it only in
 * projections whose rows an erasure deletes.
 */
export const blindIndex = (indexKey: Uint8Array, purpose: string, value: string): string => {
  if (!PURPOSE.test(purpose)) {
    throw new ValidationError([{ field: 'purpose', message: 'must match ' + String(PURPOSE) }]);
  }
  const normalised = normaliseIndexValue(value);
  if (normalised === '') {
    throw new ValidationError([{ field: 'value', message: 'must not be blank' }]);
  }
  const purposeKey = deriveSubkey(indexKey, `casegrid/blind-index/purpose/${purpose}`);
  return createHmac('sha256', purposeKey).update(normalised, 'utf8').digest('hex');
};
