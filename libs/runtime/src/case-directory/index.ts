export * from './case-directory.events';
export * from './case-directory.migrations';
export * from './case-directory';
