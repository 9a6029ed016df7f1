// @ts-check
const js = require('@eslint/js');
const nx = require('@nx/eslint-plugin');
const prettier = require('eslint-config-prettier');
const tseslint = require('typescript-eslint');

// Domain code stays pure (STYLE.md, The shape of a service): no framework, ORM, broker or
// cache in it, and nothing but other domain code.
const INFRASTRUCTURE_PACKAGES = [
  '@nestjs/*',
  'typeorm',
  'kafkajs',
  'ioredis',
  'pg',
  'pg-*',
  'express',
];

/** The dependency rules; a domain's own specs may also use the shared spec helpers. */
const boundaries = (specs) => ({
  // The embedded default composes the five service modules into one process.
  allow: ['@casegrid/service-*'],
  depConstraints: [
    {
      sourceTag: 'type:domain',
      onlyDependOnLibsWithTags: specs ? ['type:domain', 'type:testing'] : ['type:domain'],
      bannedExternalImports: INFRASTRUCTURE_PACKAGES,
    },
    {
      sourceTag: 'type:contracts',
      onlyDependOnLibsWithTags: ['type:domain', 'type:contracts'],
      bannedExternalImports: INFRASTRUCTURE_PACKAGES,
    },
    {
      sourceTag: 'type:infra',
      onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:infra', 'type:testing'],
    },
    {
      sourceTag: 'type:adapter',
      onlyDependOnLibsWithTags: [
        'type:domain',
        'type:contracts',
        'type:infra',
        'type:adapter',
        'type:testing',
      ],
    },
    {
      sourceTag: 'type:service',
      onlyDependOnLibsWithTags: [
        'type:domain',
        'type:contracts',
        'type:infra',
        'type:adapter',
        'type:testing',
      ],
    },
    {
      sourceTag: 'type:app',
      onlyDependOnLibsWithTags: [
        'type:domain',
        'type:contracts',
        'type:infra',
        'type:adapter',
        'type:service',
        'type:testing',
      ],
    },
    {
      sourceTag: 'type:testing',
      onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:infra', 'type:testing'],
    },
    {
      sourceTag: 'type:tool',
      // type:service: the bench drives supervision's deadline scheduler as the service does.
      onlyDependOnLibsWithTags: [
        'type:domain',
        'type:contracts',
        'type:infra',
        'type:adapter',
        'type:service',
        'type:testing',
      ],
    },
  ],
});

module.exports = tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.casegrid/**', '.nx/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: __dirname },
    },
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      // An async function without await still returns a promise, which is what ports expect.
      '@typescript-eslint/require-await': 'off',
      '@nx/enforce-module-boundaries': ['error', boundaries(false)],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
      },
    },
    rules: {
      ...tseslint.configs.disableTypeChecked.rules,
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module', globals: { URL: 'readonly' } },
  },
  {
    files: ['libs/**/domain/**/*.spec.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', boundaries(true)] },
  },
  {
    files: ['**/*.spec.ts', '**/testing/**/*.ts'],
    rules: {
      // Jest matchers and supertest bodies are untyped by design.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  prettier,
);
