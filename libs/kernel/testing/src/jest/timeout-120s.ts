// Jest ignores testTimeout inside a project; e2e scenarios run across all services.
jest.setTimeout(120_000);
