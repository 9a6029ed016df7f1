export * from './canonical-json';
export * from './hash-chain';
export * from './point-in-time';
export * from './responsibility';
