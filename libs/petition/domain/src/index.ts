export * from './petition.events';
export * from './petition.commands';
export * from './petition.state';
export * from './petition.periods';
export * from './petition.decider';
export * from './petition.view';
