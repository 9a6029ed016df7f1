// Jest ignores testTimeout inside a project; integration specs talk to real services.
jest.setTimeout(60_000);
