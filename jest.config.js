// @ts-check
const { readFileSync } = require('node:fs');

// One Jest run, three tiers (STYLE.md, Tests): unit specs need nothing; integration and
// e2e specs get PostgreSQL, Redis and a Kafka-protocol broker from the global setup.
const swc = JSON.parse(readFileSync(`${__dirname}/.swcrc`, 'utf8'));
const transform = { '^.+\\.ts$': ['@swc/jest', { ...swc, exclude: [], swcrc: false }] };
const moduleNameMapper = {
  '^@casegrid/kernel$': '<rootDir>/libs/kernel/domain/src/index.ts',
  '^@casegrid/contracts$': '<rootDir>/libs/contracts/src/index.ts',
  '^@casegrid/event-store$': '<rootDir>/libs/kernel/event-store/src/index.ts',
  '^@casegrid/messaging$': '<rootDir>/libs/kernel/messaging/src/index.ts',
  '^@casegrid/platform$': '<rootDir>/libs/platform/src/index.ts',
  '^@casegrid/testing$': '<rootDir>/libs/kernel/testing/src/index.ts',
  '^@casegrid/service-(.*)$': '<rootDir>/services/$1/src/index.ts',
};
const common = {
  rootDir: __dirname,
  roots: ['<rootDir>/libs', '<rootDir>/services', '<rootDir>/tools'],
  transform,
  moduleNameMapper,
  testEnvironment: 'node',
};

/** @type {import('jest').Config} */
const config = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['**/*.unit.spec.ts'] },
    {
      ...common,
      displayName: 'int',
      testMatch: ['**/*.int.spec.ts'],
      globalSetup: '<rootDir>/libs/kernel/testing/src/jest/global-setup.ts',
      globalTeardown: '<rootDir>/libs/kernel/testing/src/jest/global-teardown.ts',
      testTimeout: 60_000,
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['**/*.e2e.spec.ts'],
      globalSetup: '<rootDir>/libs/kernel/testing/src/jest/global-setup.ts',
      globalTeardown: '<rootDir>/libs/kernel/testing/src/jest/global-teardown.ts',
      testTimeout: 120_000,
    },
  ],
};
module.exports = config;
