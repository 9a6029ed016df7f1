export * from './deadline-policy';
export * from './default-policies';
