export * from './roles';
export * from './regions';
export * from './access.policy';
export * from './masking';
export * from './id-number';
export * from './organisation';
export * from './escalation';
