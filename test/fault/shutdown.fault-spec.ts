import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import mongoose from 'mongoose';
import { ADMIN_TOKEN, isolatedMongoUri } from '../support/app';
import { AppProcess } from '../support/app-process';
import { newPage } from '../support/factories';

const DRAIN_MS = 1500;
const GRACE_MS = 10_000;
/** How long the simulated load balancer keeps routing after it saw readiness fail. */
const LB_LAG_MS = 300;
const WORKERS = 16;

/** The production entry point, as the container image starts it, ready on its own port. */
function startService(mongoUri: string): Promise<AppProcess> {
  return AppProcess.start(
    'shutdown',
    {
      NODE_ENV: 'production',
      MONGODB_URI: mongoUri,
      ADMIN_TOKEN,
      SHUTDOWN_DRAIN_DELAY_MS: String(DRAIN_MS),
      SHUTDOWN_GRACE_MS: String(GRACE_MS),
    },
    { readyPath: '/health/ready' },
  );
}

function get(port: number, path: string, agent: http.Agent | false): Promise<number> {
  return new Promise((done, fail) => {
    const req = http.request({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.once('end', () => done(res.statusCode ?? 0));
      res.once('error', fail);
    });
    req.once('error', fail);
    req.end();
  });
}

async function send(port: number, method: string, path: string, body?: unknown, ifMatch?: string) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(ifMatch ? { 'if-match': ifMatch } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/**
 * A POST whose headers reach the server now and whose body is finished later: a request that is
 * in flight for as long as the test wants.
 */
function slowCreate(port: number) {
  const body = JSON.stringify(newPage());
  const req = http.request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/admin/v1/pages',
    agent: false,
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    },
  });
  const response = new Promise<number>((done, fail) => {
    req.once('response', (res) => {
      res.resume();
      res.once('end', () => done(res.statusCode ?? 0));
    });
    req.once('error', fail);
  });
  req.flushHeaders();
  req.write(body.slice(0, 10));
  return { finish: () => req.end(body.slice(10)), response };
}

describe('graceful shutdown (node dist/main.js)', () => {
  const mongoUri = isolatedMongoUri();
  let service: AppProcess | undefined;

  afterAll(async () => {
    await service?.kill();
    const connection = mongoose.createConnection(mongoUri, { serverSelectionTimeoutMS: 3000 });
    await connection
      .asPromise()
      .then(() => connection.dropDatabase())
      .catch(() => undefined);
    await connection.close();
  });

  it('SIGTERM under load: readiness fails, the drain serves, in-flight work finishes, no request fails, exit 0', async () => {
    service = await startService(mongoUri);
    const { port } = service;
    const created = await send(port, 'POST', '/admin/v1/pages', newPage());
    expect(created.status).toBe(201);
    const published = await send(
      port,
      'POST',
      `/admin/v1/pages/${String(created.body.id)}/publish`,
      undefined,
      `"${String(created.body.version)}"`,
    );
    expect(published.status).toBe(200);
    const path = `/v1/pages/${String(created.body.slug)}`;

    // The load balancer: routes while readiness passes, and for a short lag after it fails.
    // A refused connection takes the pod out of rotation too, but only a 503 proves the flip.
    // The hard stop only bounds a broken run.
    const hardStop = Date.now() + 20_000;
    let routing = true;
    let readinessFailedAt: number | undefined;
    const readinessAnswers: Array<number | 'refused'> = [];
    const balancer = (async () => {
      while (readinessFailedAt === undefined && Date.now() < hardStop) {
        const status = await get(port, '/health/ready', false).catch(() => 'refused' as const);
        readinessAnswers.push(status);
        if (status !== 200) readinessFailedAt = Date.now();
        else await sleep(50);
      }
      await sleep(LB_LAG_MS);
      routing = false;
    })();

    const outcomes = { ok: 0, okAfterReadinessFailed: 0, failed: [] as string[] };
    const agent = new http.Agent({ keepAlive: true, maxSockets: WORKERS });
    const worker = async () => {
      while (routing && Date.now() < hardStop) {
        try {
          const status = await get(port, path, agent);
          if (status !== 200) outcomes.failed.push(`status ${status}`);
          else {
            outcomes.ok += 1;
            if (readinessFailedAt !== undefined) outcomes.okAfterReadinessFailed += 1;
          }
        } catch (error) {
          outcomes.failed.push(String(error));
        }
      }
    };
    const load = Promise.all(Array.from({ length: WORKERS }, worker));

    await sleep(1000);
    const inFlight = slowCreate(port);
    await sleep(100);
    service.signal('SIGTERM');

    await balancer;
    await load;
    agent.destroy();

    // During the drain the server still takes new connections; once closing starts it stops.
    let liveDuringDrain = 0;
    while (Date.now() < hardStop) {
      const status = await get(port, '/health/live', false).catch(() => 'refused' as const);
      if (status !== 200) break;
      liveDuringDrain += 1;
      await sleep(50);
    }
    // The slow request was in flight when closing started; it must still complete.
    inFlight.finish();
    await expect(inFlight.response).resolves.toBe(201);

    const exit = await Promise.race([
      service.exited,
      sleep(GRACE_MS + 5000, undefined, { ref: false }).then(() => ({ hung: true })),
    ]);
    expect(exit).toEqual({ code: 0, signal: null });

    expect(readinessAnswers.at(-1)).toBe(503);
    expect(outcomes.failed).toEqual([]);
    expect(outcomes.ok).toBeGreaterThan(100);
    expect(outcomes.okAfterReadinessFailed).toBeGreaterThan(0);
    expect(liveDuringDrain).toBeGreaterThan(0);

    // The last log lines reached stdout before the process exited.
    const messages = service.logs().map((line) => line.msg);
    expect(messages).toEqual(
      expect.arrayContaining([
        'shutdown: readiness failing, draining',
        'shutdown: closing the server and stopping workers',
        'shutdown: complete',
      ]),
    );
  });
});
