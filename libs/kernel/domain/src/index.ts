export * from './errors';
export * from './refusals';
export * from './messages';
export * from './decider';
export * from './uuid-v7';
