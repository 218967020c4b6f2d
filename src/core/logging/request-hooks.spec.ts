import { Logger } from '@nestjs/common';
import fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { register } from 'prom-client';
import { PinoNestLogger } from './nest-logger';
import { registerRequestHooks } from './request-hooks';
import { REDACT_PATHS } from './root-logger';

type Line = Record<string, unknown>;

function setup(): { app: FastifyInstance; lines: Line[] } {
  const lines: Line[] = [];
  const logger = pino(
    { level: 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    { write: (line: string) => void lines.push(JSON.parse(line) as Line) },
  );
  const nest = new PinoNestLogger(logger);
  const app = fastify({ genReqId: () => 'req-1' });
  registerRequestHooks(app, logger);
  const inside = new Logger('Pages');
  app.get('/v1/pages/:slug', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    // Through Nest's Logger, as services log: the request id must come along across the await.
    Logger.overrideLogger(nest);
    inside.log({ slug: 'x', authorization: 'Bearer s', user: { password: 'p' } }, 'page read');
    Logger.overrideLogger(false);
    return { ok: true };
  });
  return { app, lines };
}

describe('request hooks', () => {
  beforeEach(() => register.resetMetrics());

  it('writes one access line per request with the log-search fields, and echoes the id', async () => {
    const { app, lines } = setup();
    const res = await app.inject({ method: 'GET', url: '/v1/pages/jane?x=1' });
    expect(res.headers['x-request-id']).toBe('req-1');
    const access = lines.filter((l) => l.msg === 'request completed');
    expect(access).toHaveLength(1);
    expect(access[0]).toEqual({
      level: 30,
      time: expect.any(Number),
      pid: process.pid,
      hostname: expect.any(String),
      requestId: 'req-1',
      method: 'GET',
      route: '/v1/pages/:slug',
      url: '/v1/pages/jane?x=1',
      statusCode: 200,
      responseTimeMs: expect.any(Number),
      msg: 'request completed',
    });
  });

  it('gives an unmatched request a null route in the line and the fixed label in metrics', async () => {
    const { app, lines } = setup();
    await app.inject({ method: 'GET', url: '/nowhere' });
    expect(lines.find((l) => l.msg === 'request completed')).toMatchObject({
      route: null,
      statusCode: 404,
    });
    const metric = await register.getSingleMetric('http_requests_total')!.get();
    expect(metric.values).toContainEqual(
      expect.objectContaining({ labels: { route: 'unmatched', method: 'GET', status: 404 } }),
    );
  });

  it('carries the request id into app log lines written while handling it, still redacted', async () => {
    const { app, lines } = setup();
    await app.inject({ method: 'GET', url: '/v1/pages/jane' });
    expect(lines.find((l) => l.msg === 'page read')).toMatchObject({
      requestId: 'req-1',
      context: 'Pages',
      slug: 'x',
      authorization: '[redacted]',
      user: { password: '[redacted]' },
    });
  });
});
