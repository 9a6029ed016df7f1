import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ValidationError } from '@casegrid/kernel';
import { PersonalDataError } from './personal-data.errors';

/**
 * Personal fields as they travel in events, outbox rows and Kafka messages:
 * `pd1.<personId>.<iv>.<ciphertext ‖ tag>`, both base64url. AES-256-GCM under the person's
 * data key over the JSON of the fields. The AAD is `pd1.<personId>`, so a ciphertext
 * copied into another person's event does not open.
 */
export type SealedPersonalData = `pd1.${string}.${string}.${string}`;

export type PersonalFields = Readonly<Record<string, string>>;

export interface ParsedSealed {
  readonly personId: string;
  readonly iv: Buffer;
  /** Ciphertext followed by the 16-byte authentication tag. */
  readonly body: Buffer;
}

const VERSION = 'pd1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Lower case only: the id is part of the AAD, so one person has one spelling. */
const PERSON_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The canonical spelling of a person id, or a validation error. */
export const canonicalPersonId = (personId: string): string => {
  const id = personId.toLowerCase();
  if (!PERSON_ID.test(id)) {
    throw new ValidationError([{ field: 'personId', message: 'must be a UUID' }]);
  }
  return id;
};

const malformed = (why: string): PersonalDataError =>
  new PersonalDataError('personal_data_malformed', `not sealed personal data: ${why}`);

/**
 * Only the canonical encoding is accepted: base64url's last character can carry unused
 * bits, and a string that decodes to the same bytes under an edit is an edit we would
 * otherwise not notice.
 */
const decodeCanonical = (text: string, what: string): Buffer => {
  const bytes = BASE64URL.test(text) ? Buffer.from(text, 'base64url') : undefined;
  if (bytes === undefined || bytes.toString('base64url') !== text) {
    throw malformed(`${what} is not canonical base64url`);
  }
  return bytes;
};

export const parseSealed = (sealed: string): ParsedSealed => {
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION) throw malformed('expected pd1.<id>.<iv>.<body>');
  const [, personId = '', iv = '', body = ''] = parts;
  if (!PERSON_ID.test(personId)) throw malformed('the person id is not a lower-case UUID');
  const parsed = {
    personId,
    iv: decodeCanonical(iv, 'the iv'),
    body: decodeCanonical(body, 'the body'),
  };
  if (parsed.iv.length !== IV_BYTES) throw malformed(`the iv is not ${IV_BYTES} bytes`);
  if (parsed.body.length <= TAG_BYTES) throw malformed('the body is shorter than its tag');
  return parsed;
};

export const isSealed = (value: unknown): value is SealedPersonalData => {
  if (typeof value !== 'string') return false;
  try {
    parseSealed(value);
    return true;
  } catch {
    return false;
  }
};

export const personIdOf = (sealed: SealedPersonalData): string => parseSealed(sealed).personId;

/** Checked before sealing: a value JSON would drop or mangle must not be sealed for good. */
export const assertPersonalFields = (fields: PersonalFields): void => {
  const bad = Object.keys(fields).filter((k) => typeof fields[k] !== 'string');
  if (bad.length > 0) {
    throw new ValidationError(bad.map((field) => ({ field, message: 'must be a string' })));
  }
};

const aad = (personId: string): Buffer => Buffer.from(`${VERSION}.${personId}`, 'utf8');

const checkKey = (dataKey: Uint8Array): void => {
  if (dataKey.length !== KEY_BYTES) throw new Error(`a data key is ${KEY_BYTES} bytes`);
};

/** Pure: encrypts under a data key the caller already holds (the vault finds it). */
export const sealWithKey = (
  dataKey: Uint8Array,
  personId: string,
  fields: PersonalFields,
): SealedPersonalData => {
  checkKey(dataKey);
  const id = canonicalPersonId(personId);
  assertPersonalFields(fields);
  // Random 96-bit IVs are safe here: one key per person seals a handful of records, far
  // below GCM's 2^32 messages per key.
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', dataKey, iv);
  cipher.setAAD(aad(id));
  const plain = Buffer.from(JSON.stringify(fields), 'utf8');
  const body = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  return `${VERSION}.${id}.${iv.toString('base64url')}.${body.toString('base64url')}`;
};

/** Pure: decrypts and authenticates; any edit, or another person's key, throws. */
export const openWithKey = (dataKey: Uint8Array, sealed: string): Record<string, string> => {
  checkKey(dataKey);
  const { personId, iv, body } = parseSealed(sealed);
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', dataKey, iv);
    decipher.setAAD(aad(personId));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    plain = Buffer.concat([
      decipher.update(body.subarray(0, body.length - TAG_BYTES)),
      decipher.final(),
    ]);
  } catch (error) {
    throw new PersonalDataError(
      'personal_data_tampered',
      `personal data of ${personId} does not authenticate`,
      { cause: error },
    );
  }
  return parseFields(plain, personId);
};

const parseFields = (plain: Buffer, personId: string): Record<string, string> => {
  const value: unknown = JSON.parse(plain.toString('utf8'));
  const ok =
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string');
  // Authenticated, so only our own sealWithKey wrote it; a shape error here is a bug.
  if (!ok) throw malformed(`the fields of ${personId} are not a string record`);
  return value as Record<string, string>;
};
