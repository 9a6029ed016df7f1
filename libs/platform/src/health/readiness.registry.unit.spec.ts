import { ReadinessRegistry } from './readiness.registry';

describe('ReadinessRegistry', () => {
  it('is ready with no checks, and with passing ones', async () => {
    const registry = new ReadinessRegistry();
    expect(await registry.report()).toEqual({ status: 'ok', checks: {} });
    registry.register('database:intake', async () => undefined);
    expect(await registry.report()).toEqual({ status: 'ok', checks: { 'database:intake': 'ok' } });
  });

  it('reports every failing check with its message, including one that throws synchronously', async () => {
    const registry = new ReadinessRegistry();
    registry.register('database', async () => undefined);
    registry.register('redis', () => Promise.reject(new Error('ECONNREFUSED 127.0.0.1:6379')));
    registry.register('broker', () => {
      throw new Error('no brokers');
    });
    expect(await registry.report()).toEqual({
      status: 'error',
      checks: { database: 'ok', redis: 'error', broker: 'error' },
      failures: { redis: 'ECONNREFUSED 127.0.0.1:6379', broker: 'no brokers' },
    });
  });

  it('fails a check that does not answer in time', async () => {
    const registry = new ReadinessRegistry();
    registry.register('hung', () => new Promise<void>(() => undefined));
    expect(await registry.report(20)).toEqual({
      status: 'error',
      checks: { hung: 'error' },
      failures: { hung: 'timed out after 20 ms' },
    });
  });

  it('goes unready once shutdown begins', async () => {
    const registry = new ReadinessRegistry();
    registry.beforeApplicationShutdown();
    expect((await registry.report()).status).toBe('error');
  });

  it('refuses two checks under one name', () => {
    const registry = new ReadinessRegistry();
    registry.register('database', async () => undefined);
    expect(() => registry.register('database', async () => undefined)).toThrow(
      /already registered/,
    );
  });
});
