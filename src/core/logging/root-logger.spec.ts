import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DestinationStream, Logger } from 'pino';
import { AccessLog } from './access-log';
import { createLogDestination, createRootLogger, type LogDestinationOptions } from './root-logger';

/** Lines written through a real file descriptor, as they would reach stdout. */
async function linesWritten(
  options: Omit<LogDestinationOptions, 'fd'>,
  write: (logger: Logger) => void,
  extraStreams: DestinationStream[] = [],
): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'root-logger-'));
  const file = join(dir, 'out.log');
  const fd = openSync(file, 'w');
  const destination = createLogDestination(extraStreams, { ...options, fd });
  try {
    const logger = createRootLogger({ log: { level: 'info' } }, destination);
    write(logger);
    await new Promise<void>((resolve, reject) =>
      logger.flush((err) => (err ? reject(err) : resolve())),
    );
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } finally {
    // The JSON destination is an asynchronous SonicBoom with a flush timer: it closes its fd itself.
    const sonic = destination as Partial<NodeJS.EventEmitter & { end(): void }>;
    if (sonic.end && sonic.once) {
      const closed = new Promise((resolve) => sonic.once?.('close', resolve));
      sonic.end();
      await closed;
    } else {
      closeSync(fd);
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

const aRequest = (logger: Logger) => {
  logger.info({ requestId: 'req-1' }, 'page published');
  new AccessLog(logger).write(
    { id: 'req-2', method: 'GET', url: '/v1/pages/jane-doe' },
    { statusCode: 200, elapsedTime: 1.5 },
    '/v1/pages/:slug',
  );
};

describe('root logger: JSON by default, human lines when LOG_FORMAT=pretty', () => {
  it('writes one JSON object per line by default', async () => {
    const lines = await linesWritten({}, aRequest);
    expect(lines).toHaveLength(2);
    const [event, access] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(event).toMatchObject({ level: 30, msg: 'page published', requestId: 'req-1' });
    expect(access).toMatchObject({ msg: 'request completed', requestId: 'req-2', statusCode: 200 });
  });

  it('writes readable lines (time, level, message, fields) with format pretty', async () => {
    const lines = await linesWritten({ format: 'pretty' }, aRequest);
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(() => JSON.parse(line) as unknown).toThrow();
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: page published \{.*"req-1".*\}$/);
    // The access line, written by AccessLog straight to the stream, is formatted too.
    expect(lines[1]).toMatch(
      /^\[[\d:.]+\] INFO: request completed \{.*"\/v1\/pages\/jane-doe".*\}$/,
    );
    // Fields that are the same on every line of a process are left out; no colours off a TTY.
    expect(lines.join('\n')).not.toMatch(/hostname|"pid"/);
    expect(lines.join('\n')).not.toContain('\u001b[');
  });

  it('still hands an in-app shipper JSON when stdout is pretty', async () => {
    const shipped: string[] = [];
    const lines = await linesWritten({ format: 'pretty' }, aRequest, [
      { write: (line: string) => void shipped.push(line) },
    ]);
    expect(lines[0]).toContain('INFO: page published');
    expect(shipped.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual([
      'page published',
      'request completed',
    ]);
  });

  it('fails naming LOG_FORMAT when pretty is asked for and pino-pretty is not installed', () => {
    jest.isolateModules(() => {
      jest.doMock('pino-pretty', () => {
        throw Object.assign(new Error("Cannot find module 'pino-pretty'"), {
          code: 'MODULE_NOT_FOUND',
        });
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a registry without pino-pretty
      const isolated = require('./root-logger') as typeof import('./root-logger');
      expect(() => isolated.createLogDestination([], { format: 'pretty' })).toThrow(
        /LOG_FORMAT=pretty needs pino-pretty.*unset LOG_FORMAT/,
      );
      // The default path never loads it.
      expect(() => isolated.createLogDestination([], { format: 'json' })).not.toThrow();
    });
  });
});
