export * from './case-event';
export * from './supervision.events';
export * from './ledger.state';
export * from './ledger.evolve';
export * from './clock.policies';
export * from './clock.reactor';
export * from './clock.ticker';
export * from './supervision.decider';
