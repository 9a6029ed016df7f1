export * from './decider-spec';
export * from './infra-env';
export * from './test-db';
export * from './infra';
export * from './kafka-mock/mock-kafka';
export * from './wait-until';
export * from './tcp-proxy';
export * from './suite-kafka';
