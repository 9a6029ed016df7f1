export * from './event-store.types';
export * from './pg-event-store';
export * from './horizon-reader';
export * from './queryable';
export * from './sql-identifier';
export * from './event-store.ddl';
export * from './migrations';
export * from './transaction';
