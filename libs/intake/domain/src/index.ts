export * from './case.events';
export * from './case.commands';
export * from './case.state';
export * from './case.decider';
export * from './routing';
export * from './categories';
export { isOpen } from './case.lifecycle';
