import { Logger } from '@nestjs/common';
import pino from 'pino';
import { PinoNestLogger } from './nest-logger';
import { requestScope } from './request-scope';

type Line = Record<string, unknown> & { err?: { message: string; stack: string } };

function capture() {
  const lines: Line[] = [];
  const nest = new PinoNestLogger(
    pino({ level: 'debug' }, { write: (l: string) => void lines.push(JSON.parse(l) as Line) }),
  );
  return { nest, lines };
}

describe('PinoNestLogger', () => {
  afterEach(() => Logger.overrideLogger(false));

  it('maps Nest Logger calls: message, context, merged objects, errors', () => {
    const { nest, lines } = capture();
    Logger.overrideLogger(nest);
    const logger = new Logger('Worker');
    logger.log('started');
    logger.warn({ retryInMs: 5 }, 'attempt failed');
    logger.error('no stack here');
    logger.error(new Error('boom'));
    logger.debug?.({ skipped: 2 }, 'skipped');
    expect(
      lines.map(({ level, msg, context, retryInMs, skipped }) => ({
        level,
        msg,
        context,
        retryInMs,
        skipped,
      })),
    ).toEqual([
      { level: 30, msg: 'started', context: 'Worker', retryInMs: undefined, skipped: undefined },
      { level: 40, msg: 'attempt failed', context: 'Worker', retryInMs: 5, skipped: undefined },
      {
        level: 50,
        msg: 'no stack here',
        context: 'Worker',
        retryInMs: undefined,
        skipped: undefined,
      },
      { level: 50, msg: 'boom', context: 'Worker', retryInMs: undefined, skipped: undefined },
      { level: 20, msg: 'skipped', context: 'Worker', retryInMs: undefined, skipped: 2 },
    ]);
    expect(lines[3].err?.message).toBe('boom');
  });

  it("logs the stack Nest's exception handlers pass as the error", () => {
    const { nest, lines } = capture();
    nest.error('Unhandled', 'Error: x\n    at f (a.js:1:1)', 'ExceptionsHandler');
    expect(lines[0]).toMatchObject({ msg: 'Unhandled', context: 'ExceptionsHandler' });
    expect(lines[0].err?.stack).toContain('at f (a.js:1:1)');
  });

  it('adds the request id inside a request scope only, and an explicit one wins', () => {
    const { nest, lines } = capture();
    nest.log('outside', 'Ctx');
    requestScope.run('req-9', () => {
      nest.log('inside', 'Ctx');
      nest.log({ requestId: 'explicit' }, 'own id', 'Ctx');
    });
    expect(lines.map((l) => [l.msg, l.requestId])).toEqual([
      ['outside', undefined],
      ['inside', 'req-9'],
      ['own id', 'explicit'],
    ]);
  });

  it('writes nothing below the logger level', () => {
    const { nest, lines } = capture();
    nest.verbose('trace line', 'Ctx');
    expect(lines).toEqual([]);
  });
});
