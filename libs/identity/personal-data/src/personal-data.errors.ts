import { IllegalStateError } from '@casegrid/kernel';

/**
 * Failures of the cryptography itself. None is retryable: a tampered ciphertext or a key
 * that does not unwrap gives the same answer every time, so a consumer should park the
 * message rather than spin on it. Messages name the person id, never a field or a key.
 */
export type PersonalDataErrorCode =
  /** Not a `pd1.` string, or not canonically encoded. */
  | 'personal_data_malformed'
  /** The authentication tag does not verify: edited, moved to another person, or wrong key. */
  | 'personal_data_tampered'
  /** The key-encryption key refuses the wrapped data key (another KEK, or an edited row). */
  | 'data_key_unwrap_failed'
  /** No key row for the person: the ciphertext was sealed against another schema. */
  | 'data_key_missing';

export class PersonalDataError extends Error {
  readonly retryable = false;
  constructor(
    readonly code: PersonalDataErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'PersonalDataError';
  }
}

/** Sealing new data for a person whose key was shredded: erasure is final. */
export class PersonErasedError extends IllegalStateError {
  constructor(
    readonly personId: string,
    readonly erasedAt: string,
  ) {
    super(
      `person ${personId} was erased at ${erasedAt}; no new personal data may be sealed`,
      'person.erased',
    );
    this.name = 'PersonErasedError';
  }
}
