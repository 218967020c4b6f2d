import http from 'node:http';
import { resolve } from 'node:path';
import { ADMIN_TOKEN, isolatedMongoUri } from '../support/app';
import { AppProcess } from '../support/app-process';

const CRASH_PRELOAD = resolve(__dirname, '../support/crash-on-signal.ts');
/** More lines than one stdout buffer (4 KiB) holds, sent just before the process is stopped. */
const REQUESTS = 2000;
const CONCURRENCY = 20;

/** The production entry point with stdout on a pipe, as in a container. */
function startService(nodeArgs: string[] = [], env: Record<string, string> = {}) {
  return AppProcess.start(
    'log-flush',
    { NODE_ENV: 'production', MONGODB_URI: isolatedMongoUri(), ADMIN_TOKEN, ...env },
    { nodeArgs },
  );
}

function get(port: number, path: string, agent: http.Agent | false, requestId: string) {
  return new Promise<number>((done, fail) => {
    const req = http.request(
      { host: '127.0.0.1', port, path, agent, headers: { 'x-request-id': requestId } },
      (res) => {
        res.resume();
        res.once('end', () => done(res.statusCode ?? 0));
        res.once('error', fail);
      },
    );
    req.once('error', fail);
    req.end();
  });
}

/** REQUESTS requests with ids `${prefix}-<n>`, CONCURRENCY at a time; all must answer 200. */
async function load(port: number, prefix: string): Promise<string[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const ids = Array.from({ length: REQUESTS }, (_, i) => `${prefix}-${i}`);
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++];
      expect(await get(port, '/health/live', agent, id)).toBe(200);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  agent.destroy();
  return ids;
}

const accessLinesFor = (lines: Array<Record<string, unknown>>, prefix: string) =>
  lines.filter(
    (l) => l.msg === 'request completed' && String(l.requestId).startsWith(`${prefix}-`),
  );

describe('buffered stdout logging loses no line at exit (node dist/main.js)', () => {
  let service: AppProcess | undefined;
  afterEach(async () => {
    await service?.kill();
    service = undefined;
  });

  it('SIGTERM right after a burst of requests: every access line reaches stdout, once', async () => {
    service = await startService();
    const ids = await load(service.port, 'flush-term');
    service.signal('SIGTERM');
    await expect(service.exited).resolves.toEqual({ code: 0, signal: null });

    const lines = service.logs();
    const access = accessLinesFor(lines, 'flush-term');
    expect(access).toHaveLength(REQUESTS);
    expect(new Set(access.map((l) => l.requestId))).toEqual(new Set(ids));
    expect(access[0]).toMatchObject({ route: '/health/live', method: 'GET', statusCode: 200 });
    expect(lines.at(-1)?.msg).toBe('shutdown: complete');
  });

  it.each([
    ['an uncaught exception', 'throw', 'uncaughtException'],
    ['an unhandled rejection', 'rejection', 'unhandledRejection'],
  ])(
    'on %s: logs it as fatal with the error after every access line, and exits 1',
    async (_, crashWith, origin) => {
      service = await startService(['--import', CRASH_PRELOAD], { CRASH_WITH: crashWith });
      await load(service.port, `flush-${crashWith}`);
      service.signal('SIGUSR2');
      await expect(service.exited).resolves.toEqual({ code: 1, signal: null });

      const lines = service.logs();
      const access = accessLinesFor(lines, `flush-${crashWith}`);
      expect(access).toHaveLength(REQUESTS);
      // Not necessarily the last line: the flush is asynchronous, and other work still running
      // then (a worker, a timer) may log after it.
      const fatal = lines.filter((l) => l.level === 60);
      expect(fatal).toHaveLength(1);
      expect(fatal[0]).toMatchObject({
        origin,
        err: { type: 'Error', message: 'kaput: crash requested by the test' },
      });
      expect(lines.indexOf(access[REQUESTS - 1])).toBeLessThan(lines.indexOf(fatal[0]));
    },
  );
});
