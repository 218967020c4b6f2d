import { request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { register } from 'prom-client';
import { AccessLog } from '../../logging/access-log';
import { createRootLogger } from '../../logging/root-logger';
import { HotPathServer, type HotRoute } from './hot-path.server';

const ROUTE = '/things/:id';
const OTHER_ROUTE = '/others/:id';

/** A stand-in hot route: answers `GET <url>` with `body` from memory, nothing else. */
const standIn = (name: string, url: string, body: string): HotRoute => ({
  route: name,
  answer: (req) =>
    req.url === url
      ? { statusCode: 200, headers: { 'content-length': body.length }, body: Buffer.from(body) }
      : undefined,
});
const route = standIn(ROUTE, '/things/hot', '{}');
/** A second one, asked when the first declines. */
const other = standIn(OTHER_ROUTE, '/others/hot', '"ok"');

function get(server: Server, path: string, headers: Record<string, string> = {}) {
  const { port } = server.address() as AddressInfo;
  return new Promise<{ status: number; headers: IncomingHttpHeaders; text: string }>(
    (resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port, path, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      })
        .on('error', reject)
        .end();
    },
  );
}

async function countOf(labels: Record<string, string | number>): Promise<number | undefined> {
  const metric = await register.getSingleMetric('http_requests_total')!.get();
  return metric.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
    ?.value;
}

describe('HotPathServer', () => {
  let lines: string[];
  let hot: HotPathServer;
  let server: Server;
  let open: boolean;
  const fallthrough: string[] = [];

  beforeEach(async () => {
    register.resetMetrics();
    lines = [];
    fallthrough.length = 0;
    const logger = createRootLogger({ log: { level: 'info' } }, { write: (l) => lines.push(l) });
    hot = new HotPathServer(new AccessLog(logger));
    open = true;
    hot.use([route, other], () => open);
    const options = {
      keepAliveTimeout: 72000,
      requestTimeout: 0,
      connectionTimeout: 0,
      maxRequestsPerSocket: 5,
    };
    // The handler Fastify would pass: here, one that records what reached it.
    server = hot.serverFactory((req, res) => {
      fallthrough.push(req.url ?? '');
      res.end('fastify');
    }, options);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('answers its route itself, with a request id, one access line and the route metrics', async () => {
    const res = await get(server, '/things/hot');
    expect(res).toMatchObject({ status: 200, text: '{}' });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f]{16}-[0-9a-z]+$/);
    expect(fallthrough).toEqual([]);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({
      requestId: res.headers['x-request-id'],
      method: 'GET',
      route: ROUTE,
      url: '/things/hot',
      statusCode: 200,
      msg: 'request completed',
    });
    expect(await countOf({ route: ROUTE, method: 'GET', status: 200 })).toBe(1);
  });

  it('asks its routes in turn, and logs and counts an answer under the route that gave it', async () => {
    const res = await get(server, '/others/hot');
    expect(res).toMatchObject({ status: 200, text: '"ok"' });
    expect(fallthrough).toEqual([]);
    expect(lines.map((l) => (JSON.parse(l) as { route: string }).route)).toEqual([OTHER_ROUTE]);
    expect(await countOf({ route: OTHER_ROUTE, method: 'GET', status: 200 })).toBe(1);
    expect(await countOf({ route: ROUTE })).toBeUndefined();
  });

  it("echoes the caller's sane request id and replaces an unsafe one", async () => {
    const echoed = await get(server, '/things/hot', { 'x-request-id': 'edge-1.a' });
    expect(echoed.headers['x-request-id']).toBe('edge-1.a');
    const replaced = await get(server, '/things/hot', { 'x-request-id': 'a b"c' });
    expect(replaced.headers['x-request-id']).not.toBe('a b"c');
  });

  it('leaves to Fastify what the route does not answer, and everything while closed', async () => {
    expect((await get(server, '/things/cold')).text).toBe('fastify');
    open = false;
    expect((await get(server, '/things/hot')).text).toBe('fastify');
    expect((await get(server, '/others/hot')).text).toBe('fastify');
    expect(fallthrough).toEqual(['/things/cold', '/things/hot', '/others/hot']);
    // Fastify's own hooks log and count those: nothing here.
    expect(lines).toEqual([]);
    expect(await countOf({ route: ROUTE })).toBeUndefined();
    expect(await countOf({ route: OTHER_ROUTE })).toBeUndefined();
  });

  it('sets the server timeouts Fastify sets on a server of its own making', () => {
    expect(server.keepAliveTimeout).toBe(72000);
    expect(server.requestTimeout).toBe(0);
    expect(server.maxRequestsPerSocket).toBe(5);
  });
});
