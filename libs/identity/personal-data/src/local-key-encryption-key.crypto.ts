import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { KeyEncryptionKey } from './key-encryption-key.port';
import { PersonalDataError } from './personal-data.errors';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Subkeys of the master key, one per use (HKDF-SHA256 with distinct `info`): the key that
 * wraps data keys, the public fingerprint and the blind-index key never coincide, and the
 * fingerprint reveals nothing of the master.
 */
export const deriveSubkey = (masterKey: Uint8Array, info: string, length = KEY_BYTES): Buffer => {
  if (masterKey.length !== KEY_BYTES) {
    throw new Error(`a master key is ${KEY_BYTES} bytes, got ${masterKey.length}`);
  }
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), info, length));
};

/**
 * The key-encryption key held in this process (CASEGRID_MASTER_KEY, or the generated
 * `master.key` of the embedded default). Wrapping is AES-256-GCM with a random 96-bit IV:
 * a KEK wraps one key per person, far below the 2^32 random-IV bound of GCM.
 * Wrapped layout: iv (12) ‖ encrypted data key (32) ‖ tag (16).
 */
export class LocalKeyEncryptionKey implements KeyEncryptionKey {
  readonly id: string;
  // A private field: util.inspect and JSON.stringify of this object never show it.
  readonly #wrapKey: Buffer;

  constructor(masterKey: Uint8Array) {
    this.#wrapKey = deriveSubkey(masterKey, 'casegrid/kek/wrap/v1');
    this.id = deriveSubkey(masterKey, 'casegrid/kek/id/v1', 8).toString('hex');
  }

  async wrap(dataKey: Uint8Array): Promise<Uint8Array> {
    if (dataKey.length !== KEY_BYTES) throw new Error(`a data key is ${KEY_BYTES} bytes`);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#wrapKey, iv);
    const body = Buffer.concat([cipher.update(dataKey), cipher.final()]);
    return Buffer.concat([iv, body, cipher.getAuthTag()]);
  }

  async unwrap(wrapped: Uint8Array): Promise<Uint8Array> {
    const bytes = Buffer.from(wrapped);
    if (bytes.length !== IV_BYTES + KEY_BYTES + TAG_BYTES) throw this.refused();
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#wrapKey, bytes.subarray(0, IV_BYTES));
      decipher.setAuthTag(bytes.subarray(IV_BYTES + KEY_BYTES));
      return Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES, IV_BYTES + KEY_BYTES)),
        decipher.final(),
      ]);
    } catch (error) {
      throw this.refused(error);
    }
  }

  private refused(cause?: unknown): PersonalDataError {
    return new PersonalDataError(
      'data_key_unwrap_failed',
      `the data key does not unwrap with key-encryption key ${this.id}`,
      cause === undefined ? undefined : { cause },
    );
  }
}
