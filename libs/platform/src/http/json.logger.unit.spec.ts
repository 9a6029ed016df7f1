import { JsonLogger } from './json.logger';

describe('JsonLogger', () => {
  const capture = (level: ConstructorParameters<typeof JsonLogger>[0]) => {
    const lines: Record<string, unknown>[] = [];
    const logger = new JsonLogger(level, (line) =>
      lines.push(JSON.parse(line) as Record<string, unknown>),
    );
    return { logger, lines };
  };

  it('writes level, time, context and msg, following Nest argument conventions', () => {
    const { logger, lines } = capture('info');
    logger.log('Mapped route', 'RouterExplorer');
    logger.error('GET /x failed', 'Error: boom\n    at x.ts:1', 'ProblemFilter');
    expect(lines).toEqual([
      { level: 'info', time: expect.any(String), context: 'RouterExplorer', msg: 'Mapped route' },
      {
        level: 'error',
        time: expect.any(String),
        context: 'ProblemFilter',
        msg: 'GET /x failed',
        stack: 'Error: boom\n    at x.ts:1',
      },
    ]);
  });

  it('drops levels below the configured one', () => {
    const { logger, lines } = capture('warn');
    logger.log('chatty');
    logger.debug('chattier');
    logger.warn('listen');
    expect(lines.map((l) => l['msg'])).toEqual(['listen']);
  });

  it('keeps the line when the payload cannot be serialised', () => {
    const { logger, lines } = capture('info');
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    logger.log(circular, 'Ctx');
    expect(lines[0]).toMatchObject({ level: 'info', context: 'Ctx', data: '[unserialisable]' });
  });
});
