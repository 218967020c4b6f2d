/**
 * Bounded public work (not a test): the heaviest schedule request a viewer can make, uncached.
 * A page with 100 daily events, 366-day windows, each request a window never asked before (so a
 * CloudFront miss and an in-process cache miss alike; the render cache is also off).
 *  1. server time per request, sequential (from the service's own request histogram);
 *  2. 20 distinct windows at once, in a loop, while /health/live is probed every 25 ms: its
 *     worst and p99 latency against the same probe on an idle service.
 * Run through `npm run bench -- bench/schedule.bench.ts` (bench/run.sh builds and provides the stack's environment).
 * BENCH_MAIN=<path to another build's dist/main.js> measures that build instead, for a before /
 * after on the same machine. BENCH_SECONDS (default 8) bounds each round.
 */
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startBenchService, type BenchService } from './bench-service.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const MAIN = resolve(process.env.BENCH_MAIN ?? 'dist/main.js');
const EVENTS = 100;
const CONCURRENCY = 20;
const PROBE_EVERY_MS = 25;
const TOKEN = 'bench-admin-token-0123456789';
const ROUTE = 'route="/v1/pages/:slug/schedule"';

function start(): Promise<BenchService> {
  const uri = new URL(process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27018/x');
  uri.pathname = `/bench_schedule_${process.pid}`;
  return startBenchService({
    MONGODB_URI: uri.toString(),
    ADMIN_TOKEN: TOKEN,
    SCHEDULE_CACHE_MAX_BYTES: '0',
  });
}

async function call(base: string, method: string, path: string, body?: unknown, version?: number) {
  const res = await fetch(base + path, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(version === undefined ? {} : { 'if-match': `"${version}"` }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return {
    body: (await res.json()) as { id: string; version: number },
    etag: res.headers.get('etag'),
  };
}

/** A published page with EVENTS daily events at staggered times, in a DST-observing zone. */
async function heavyPage(base: string): Promise<string> {
  const slug = `bench-schedule-${process.pid}`;
  const page = await call(base, 'POST', '/admin/v1/pages', {
    slug,
    title: 'Open houses',
    summary: 'Every day',
    agent: { name: 'Jane Doe', title: 'Realtor' },
    sponsor: { name: 'Acme Realty', disclosure: 'Sponsored by Acme Realty' },
    sections: [{ heading: 'About', body: 'Open houses every day.' }],
  });
  const path = `/admin/v1/pages/${page.body.id}/schedule`;
  let version = page.body.version;
  const bump = (etag: string | null) => Number(JSON.parse(etag ?? '0'));
  version = bump(
    (await call(base, 'PUT', `${path}/timezone`, { timezone: 'America/Chicago' }, version)).etag,
  );
  for (let i = 0; i < EVENTS; i++) {
    const hour = 7 + (i % 12);
    const [hh, next] = [hour, hour + 1].map((h) => String(h).padStart(2, '0'));
    const mm = String((i * 7) % 60).padStart(2, '0');
    const added = await call(
      base,
      'POST',
      `${path}/events`,
      {
        title: `Open house ${i}`,
        description: 'Come and see the house; coffee and questions welcome.',
        location: { name: 'Main Street 1', address: 'Main Street 1, Austin TX' },
        start: `2027-01-01T${hh}:${mm}`,
        end: `2027-01-01T${next}:${mm}`,
        recurrence: 'FREQ=DAILY',
      },
      version,
    );
    version = bump(added.etag);
  }
  await call(base, 'POST', `/admin/v1/pages/${page.body.id}/publish`, undefined, version);
  return slug;
}

let windowSeq = 0;
/** A canonical 366-day window never asked before. */
function nextWindow(slug: string): string {
  const from = new Date(Date.UTC(2027, 0, 1) + windowSeq++ * 3_600_000);
  const to = new Date(from.getTime() + 366 * 86_400_000);
  const hour = (d: Date) => `${d.toISOString().slice(0, 13)}:00Z`;
  return `/v1/pages/${slug}/schedule?from=${hour(from)}&to=${hour(to)}`;
}

/** Sum of the samples of `name` whose labels contain every fragment (default: the route). */
async function scrape(metrics: string, name: string, ...fragments: string[]): Promise<number> {
  const text = await (await fetch(metrics)).text();
  const want = fragments.length > 0 ? fragments : [ROUTE];
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) && want.every((f) => l.includes(f)))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

const DB = ['command="find"', 'collection="pages"'];
/** The service's own event-loop lag, max since the previous scrape (prom-client resets it). */
const loopLagMaxMs = (metrics: string) =>
  fetch(metrics)
    .then((r) => r.text())
    .then((t) => 1000 * Number(/^nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(t)?.[1] ?? NaN));

/** Seconds of CPU the service process used (user + system), from its own /metrics. */
const cpuSeconds = (metrics: string) =>
  fetch(metrics)
    .then((r) => r.text())
    .then((t) => Number(/^process_cpu_seconds_total (\S+)$/m.exec(t)?.[1] ?? NaN));

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const ms = (n: number) => n.toFixed(1);

/** One GET; the body is read, and parsed only when asked (the probe must not wait on our JSON). */
async function get(
  base: string,
  path: string,
  parse = false,
): Promise<{ ms: number; bytes: number; truncated?: boolean }> {
  const t0 = performance.now();
  const res = await fetch(base + path, { redirect: 'manual' });
  const body = await res.arrayBuffer();
  const took = performance.now() - t0;
  if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
  if (!parse) return { ms: took, bytes: body.byteLength };
  const json = JSON.parse(Buffer.from(body).toString()) as { truncated?: boolean };
  return { ms: took, bytes: body.byteLength, truncated: json.truncated };
}

/** Probes /health/live every PROBE_EVERY_MS until `until` resolves; latencies in ms. */
async function probe(base: string, until: Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  let done = false;
  void until.finally(() => (done = true));
  while (!done) {
    samples.push((await get(base, '/health/live')).ms);
    await sleep(PROBE_EVERY_MS);
  }
  return samples.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const { child, base, metrics } = await start();
  try {
    const slug = await heavyPage(base);
    for (let i = 0; i < 5; i++) await get(base, nextWindow(slug)); // warm up the JIT

    // 1. Server time per uncached request, one at a time.
    const sumBefore = await scrape(metrics, 'http_request_duration_seconds_sum');
    const countBefore = await scrape(metrics, 'http_request_duration_seconds_count');
    const dbBefore = await scrape(metrics, 'db_operation_duration_seconds_sum', ...DB);
    const cpuBefore = await cpuSeconds(metrics);
    const client: number[] = [];
    let first: { bytes: number; truncated?: boolean } = { bytes: 0 };
    const end1 = performance.now() + SECONDS * 1000;
    while (performance.now() < end1 && client.length < 2000) {
      const r = await get(base, nextWindow(slug), client.length === 0);
      if (client.length === 0) first = r;
      client.push(r.ms);
    }
    const n = (await scrape(metrics, 'http_request_duration_seconds_count')) - countBefore;
    const server = ((await scrape(metrics, 'http_request_duration_seconds_sum')) - sumBefore) / n;
    const cpu = ((await cpuSeconds(metrics)) - cpuBefore) / n;
    const db = ((await scrape(metrics, 'db_operation_duration_seconds_sum', ...DB)) - dbBefore) / n;
    client.sort((a, b) => a - b);

    // 2. /health/live while CONCURRENCY distinct windows are in flight at all times.
    const idleDone = sleep(2000);
    const idle = await probe(base, idleDone);
    await loopLagMaxMs(metrics); // resets the service's lag histogram
    const end2 = performance.now() + SECONDS * 1000;
    let loaded = 0;
    const load = Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < end2) {
          await get(base, nextWindow(slug));
          loaded++;
        }
      }),
    );
    const busy = await probe(base, load);
    await load;
    const lagMax = await loopLagMaxMs(metrics);

    console.log(
      `machine: ${cpus().length} CPUs, ${cpus()[0]?.model ?? 'unknown'}; node ${process.version}`,
    );
    console.log(
      `build: ${MAIN}; load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    console.log(
      `page: ${EVENTS} daily events, 366-day windows, each new (uncached); response ` +
        `${(first.bytes / 1024).toFixed(0)} KiB, truncated=${String(first.truncated)}`,
    );
    console.log(
      `1. sequential, ${n} requests: server time ${ms(server * 1000)} ms per request, of which ` +
        `${ms(db * 1000)} ms waiting for the page read; service CPU ${ms(cpu * 1000)} ms per request ` +
        `(client p50 ${ms(pct(client, 50))} ms, p99 ${ms(pct(client, 99))} ms, max ${ms(client[client.length - 1])} ms)`,
    );
    console.log(
      `2. ${CONCURRENCY} distinct windows at once, ${loaded} requests in ${SECONDS} s: ` +
        `/health/live p50 ${ms(pct(busy, 50))} ms, p99 ${ms(pct(busy, 99))} ms, max ${ms(busy[busy.length - 1])} ms ` +
        `(${busy.length} probes; idle: p50 ${ms(pct(idle, 50))} ms, max ${ms(idle[idle.length - 1])} ms); ` +
        `the service's own event-loop lag: max ${ms(lagMax)} ms`,
    );
  } finally {
    child.kill('SIGTERM');
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
