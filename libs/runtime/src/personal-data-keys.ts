import {
  deriveIndexKey,
  LocalKeyEncryptionKey,
  loadOrCreateMasterKey,
  type KeyEncryptionKey,
} from '@casegrid/personal-data';
import type { CasegridConfig } from '@casegrid/platform';

/** Injection token of the process's `PersonalDataKeys`. */
export const PERSONAL_DATA_KEYS = Symbol('PERSONAL_DATA_KEYS');

/** The keys a service needs for personal data: the KEK (wraps data keys) and the blind-index key. */
export interface PersonalDataKeys {
  readonly kek: KeyEncryptionKey;
  readonly indexKey: Uint8Array;
}

/**
 * CASEGRID_MASTER_KEY, or outside production the `master.key` of the data directory
 * (created once). Losing it loses every person's data: back it up apart from the database.
 */
export async function loadPersonalDataKeys(config: CasegridConfig): Promise<PersonalDataKeys> {
  const master = await loadOrCreateMasterKey({
    configured: config.personalData.masterKey,
    dataDir: config.dataDir,
    production: config.env === 'production',
  });
  return { kek: new LocalKeyEncryptionKey(master), indexKey: deriveIndexKey(master) };
}
