import pino from 'pino';
import { AccessLog, REQUEST_COMPLETED } from './access-log';
import { createRootLogger } from './root-logger';

const request = { id: 'req-1', method: 'GET', url: '/v1/pages/jane?q="a\\b"\u2028' };
const reply = { statusCode: 200, elapsedTime: 1.23456 };
const fields = {
  requestId: request.id,
  method: request.method,
  route: '/v1/pages/:slug',
  url: request.url,
  statusCode: reply.statusCode,
  responseTimeMs: 1.23,
};

function capture(): { lines: string[]; write: (line: string) => void } {
  const lines: string[] = [];
  return { lines, write: (line: string) => void lines.push(line) };
}

describe('AccessLog', () => {
  beforeEach(() => jest.spyOn(Date, 'now').mockReturnValue(1796225572304));
  afterEach(() => jest.restoreAllMocks());

  it('writes the line the root logger would write for the same fields, byte for byte', () => {
    const out = capture();
    const logger = createRootLogger({ log: { level: 'info' } }, out);
    new AccessLog(logger).write(request, reply, '/v1/pages/:slug');
    logger.info(fields, REQUEST_COMPLETED);
    expect(out.lines).toHaveLength(2);
    expect(out.lines[0]).toBe(out.lines[1]);
    expect(JSON.parse(out.lines[0])).toMatchObject({
      url: request.url,
      service: expect.any(String),
    });
  });

  it('writes a null route for an unmatched request', () => {
    const out = capture();
    new AccessLog(createRootLogger({ log: { level: 'info' } }, out)).write(
      request,
      reply,
      undefined,
    );
    expect(JSON.parse(out.lines[0])).toMatchObject({ route: null, msg: REQUEST_COMPLETED });
  });

  it('writes nothing while the level is above info, and again once it is lowered', () => {
    const out = capture();
    const logger = createRootLogger({ log: { level: 'warn' } }, out);
    const access = new AccessLog(logger);
    access.write(request, reply, '/x');
    expect(out.lines).toHaveLength(0);
    logger.level = 'debug';
    access.write(request, reply, '/x');
    expect(out.lines).toHaveLength(1);
  });

  it('reaches every stream of a multistream at info or below, as pino routes its own lines', () => {
    const info = capture();
    const warn = capture();
    const logger = createRootLogger(
      { log: { level: 'info' } },
      pino.multistream([
        { stream: info, level: 'info' },
        { stream: warn, level: 'warn' },
      ]),
    );
    new AccessLog(logger).write(request, reply, '/x');
    logger.warn('a warning');
    expect(info.lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual([
      REQUEST_COMPLETED,
      'a warning',
    ]);
    expect(warn.lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['a warning']);
  });
});
