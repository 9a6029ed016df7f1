/**
 * Wraps and unwraps the per-person data keys. The local implementation holds a master key
 * in memory; a KMS adapter implements the same port, so the master never has to leave it.
 */
export interface KeyEncryptionKey {
  /** Stored beside each wrapped key, so a row says which KEK can open it. Not secret. */
  readonly id: string;
  wrap(dataKey: Uint8Array): Promise<Uint8Array>;
  /** Throws a `PersonalDataError` (`data_key_unwrap_failed`) when this KEK did not wrap it. */
  unwrap(wrapped: Uint8Array): Promise<Uint8Array>;
}
