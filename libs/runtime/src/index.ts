export * from './service-definition';
export * from './infrastructure';
export * from './runtime.module';
export * from './run-casegrid';
export * from './personal-data-keys';
export * from './reference';
export * from './command-transaction';
export * from './case-directory';
