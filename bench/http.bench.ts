/**
 * Throughput and latency of the public page read, relative to a raw node:http baseline.
 * Run through `npm run bench` (bench/run.sh builds and provides the stack's environment).
 */
import autocannon from 'autocannon';
import mongoose from 'mongoose';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
const TARGET_BODY_BYTES = 4096;
const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const HOST = '127.0.0.1';

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createNetServer();
    server.once('error', fail);
    server.listen(0, HOST, () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

async function admin(base: string, method: string, path: string, body?: unknown, ifMatch?: string) {
  const res = await fetch(base + path, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(ifMatch ? { 'if-match': ifMatch } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string; slug: string; version: number };
}

function page(slug: string, padding: number) {
  return {
    slug,
    title: 'Jane Doe',
    summary: 'Your neighbourhood agent',
    agent: { name: 'Jane Doe', title: 'Realtor' },
    sponsor: { name: 'Acme Realty', disclosure: 'Sponsored by Acme Realty' },
    sections: [
      { heading: 'About', body: `Twenty years of helping families move. ${'x'.repeat(padding)}` },
    ],
  };
}

interface Service {
  child: ChildProcess;
  base: string;
  metrics: string;
}

async function startService(): Promise<Service> {
  const port = await freePort();
  const metricsPort = await freePort();
  const uri = new URL(process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27018/x');
  uri.pathname = `/bench_${process.pid}`;
  const child = spawn(process.execPath, [resolve('dist/main.js')], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      HOST,
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      MONGODB_URI: uri.toString(),
      ADMIN_TOKEN,
      LOG_LEVEL: 'info',
      LOG_SHIPPER_ENABLED: 'false',
      SHUTDOWN_DRAIN_DELAY_MS: '0',
    },
    // One access log line per request is part of the cost being measured; /dev/null takes it.
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://${HOST}:${port}`;
  for (let i = 0; i < 300; i += 1) {
    if (child.exitCode !== null) throw new Error('service exited during start-up');
    const ok = await fetch(`${base}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { child, base, metrics: `http://${HOST}:${metricsPort}/metrics` };
    await sleep(100);
  }
  throw new Error('service not ready after 30 s');
}

/** Publishes a page whose public JSON is close to TARGET_BODY_BYTES; returns its URL and body. */
async function publishPage(base: string): Promise<{ url: string; body: string }> {
  let padding = 3000;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const slug = `bench-${process.pid}-${attempt}`;
    const created = await admin(base, 'POST', '/admin/v1/pages', page(slug, padding));
    await admin(
      base,
      'POST',
      `/admin/v1/pages/${created.id}/publish`,
      undefined,
      `"${created.version}"`,
    );
    const url = `${base}/v1/pages/${slug}`;
    const body = await (await fetch(url)).text();
    const off = TARGET_BODY_BYTES - Buffer.byteLength(body);
    if (Math.abs(off) <= 64) return { url, body };
    padding += off;
  }
  throw new Error('could not size the page body');
}

/** The floor: the same bytes and headers from a bare node:http handler. */
function startBaseline(body: string): Promise<{ server: Server; url: string }> {
  const payload = Buffer.from(body);
  const server = createHttpServer((_req, res) => {
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': payload.length,
      'cache-control': 'public, max-age=0, s-maxage=300',
      etag: '"baseline"',
    });
    res.end(payload);
  });
  return new Promise((done) =>
    server.listen(0, HOST, () => {
      const { port } = server.address() as { port: number };
      done({ server, url: `http://${HOST}:${port}/v1/pages/baseline` });
    }),
  );
}

/** Sum of the samples of `name` whose label text contains every fragment. */
async function scrape(url: string, name: string, ...fragments: string[]): Promise<number> {
  const text = await (await fetch(url)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) && fragments.every((f) => l.includes(f)))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/** Server-side time per request and the part of it spent in database commands, from /metrics. */
async function serverSplit(metrics: string, run: () => Promise<void>): Promise<string> {
  const route = 'route="/v1/pages/:slug"';
  const db = ['command="find"', 'collection="pages"'];
  const read = async () => ({
    httpSum: await scrape(metrics, 'http_request_duration_seconds_sum', route),
    httpCount: await scrape(metrics, 'http_request_duration_seconds_count', route),
    dbSum: await scrape(metrics, 'db_operation_duration_seconds_sum', ...db),
    dbCount: await scrape(metrics, 'db_operation_duration_seconds_count', ...db),
  });
  const before = await read();
  await run();
  const after = await read();
  const requests = after.httpCount - before.httpCount;
  const ms = (seconds: number) => ((seconds * 1000) / Math.max(requests, 1)).toFixed(2);
  return (
    `service, server side (from its /metrics): ${ms(after.httpSum - before.httpSum)} ms per ` +
    `request; find commands on pages (background workers' included): ` +
    `${((after.dbCount - before.dbCount) / Math.max(requests, 1)).toFixed(2)} per request, ` +
    `${ms(after.dbSum - before.dbSum)} ms per request`
  );
}

interface Row {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  mbps: number;
  errors: number;
  non2xx: number;
}

async function measure(name: string, url: string): Promise<Row> {
  await autocannon({ url, connections: CONNECTIONS, duration: WARMUP });
  const r = await autocannon({ url, connections: CONNECTIONS, duration: DURATION });
  return {
    name,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    mbps: r.throughput.average / 1e6,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
  };
}

function table(rows: Row[]): string {
  const [base] = rows;
  const lines = [
    'target      req/s     ratio   p50 ms  p99 ms  MB/s    errors  non-2xx',
    ...rows.map((r) =>
      [
        r.name.padEnd(10),
        r.rps.toFixed(0).padStart(7),
        `${(r.rps / base.rps).toFixed(3)}x`.padStart(8),
        r.p50.toFixed(1).padStart(8),
        r.p99.toFixed(1).padStart(7),
        r.mbps.toFixed(1).padStart(6),
        String(r.errors).padStart(8),
        String(r.non2xx).padStart(8),
      ].join(' '),
    ),
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const service = await startService();
  let baseline: Server | undefined;
  try {
    const { url, body } = await publishPage(service.base);
    const started = await startBaseline(body);
    baseline = started.server;
    console.log(
      `GET /v1/pages/:slug, ${Buffer.byteLength(body)} B JSON, ${CONNECTIONS} connections, ` +
        `${DURATION} s (+${WARMUP} s warm-up) each, ${HOST}, Node ${process.versions.node}\n`,
    );
    const rows = [
      await measure('node:http', started.url),
      // The framework without the database: Nest + Fastify + access log + metrics hooks.
      await measure('svc /live', `${service.base}/health/live`),
    ];
    const split = await serverSplit(service.metrics, async () => {
      rows.push(await measure('svc page', url));
    });
    console.log(table(rows));
    console.log(`\n${split}`);
    const svc = rows[2];
    console.log(
      `service page/baseline: throughput ${(svc.rps / rows[0].rps).toFixed(3)}x, ` +
        `p99 latency ${(svc.p99 / Math.max(rows[0].p99, 0.001)).toFixed(1)}x`,
    );
    if (rows.some((r) => r.errors > 0 || r.non2xx > 0)) process.exitCode = 1;
  } finally {
    baseline?.close();
    service.child.kill('SIGTERM');
    await new Promise((done) => service.child.once('exit', done));
    const uri = new URL(process.env.MONGODB_URI ?? '');
    uri.pathname = `/bench_${process.pid}`;
    const connection = mongoose.createConnection(uri.toString(), {
      serverSelectionTimeoutMS: 3000,
    });
    await connection
      .asPromise()
      .then(() => connection.dropDatabase())
      .catch(() => undefined);
    await connection.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
