import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ADMIN_TOKEN, isolatedMongoUri } from './support/app';
import { freePort } from './support/free-port';

const MAIN = resolve(__dirname, '../dist/main.js');
const CRASH_PRELOAD = resolve(__dirname, 'support/crash-on-signal.ts');
/** More lines than one stdout buffer (4 KiB) holds, sent just before the process is stopped. */
const REQUESTS = 2000;
const CONCURRENCY = 20;

interface Service {
  child: ChildProcess;
  port: number;
  lines: () => Array<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The production entry point with stdout on a pipe, as in a container. */
async function startService(preload: string[] = [], env: Record<string, string> = {}) {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first`);
  const port = await freePort();
  const child = spawn(process.execPath, [...preload, MAIN], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      METRICS_PORT: '0',
      MONGODB_URI: isolatedMongoUri(),
      ADMIN_TOKEN,
      LOG_LEVEL: 'info',
      LOG_SHIPPER_ENABLED: 'false',
      SHUTDOWN_DRAIN_DELAY_MS: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  for (let i = 0; ; i += 1) {
    if (child.exitCode !== null) throw new Error(`service exited during start-up:\n${err}`);
    if ((await get(port, '/health/live', false, 'probe').catch(() => 0)) === 200) break;
    if (i > 300) throw new Error(`service not live after 30 s:\n${err}`);
    await sleep(100);
  }
  const lines = () =>
    out
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { child, port, lines, exited } satisfies Service;
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
  let service: Service | undefined;
  afterEach(async () => {
    if (service && service.child.exitCode === null && service.child.signalCode === null) {
      service.child.kill('SIGKILL');
      await service.exited;
    }
    service = undefined;
  });

  it('SIGTERM right after a burst of requests: every access line reaches stdout, once', async () => {
    service = await startService();
    const ids = await load(service.port, 'flush-term');
    service.child.kill('SIGTERM');
    await expect(service.exited).resolves.toEqual({ code: 0, signal: null });

    const lines = service.lines();
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
      service.child.kill('SIGUSR2');
      await expect(service.exited).resolves.toEqual({ code: 1, signal: null });

      const lines = service.lines();
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
