export * from './transport';
export * from './delivery';
export * from './to-cloud-event';
export * from './inbox';
export * from './outbox-relay';
export * from './kafka-transport';
export * from './in-process-transport';
export * from './sleep';
