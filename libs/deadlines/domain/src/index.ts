export * from './deadline-policy';
export * from './default-policies';
export * from './policy-changes';
