export * from './key-encryption-key.port';
export * from './local-key-encryption-key.crypto';
export * from './master-key.file';
export * from './envelope.crypto';
export * from './blind-index.crypto';
export * from './personal-data.errors';
export * from './personal-data.migrations';
export * from './personal-data.vault';
