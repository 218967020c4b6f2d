import request from 'supertest';
import { ShutdownState } from '../src/core/lifecycle/shutdown-state';
import { MetricsServer } from '../src/core/metrics/metrics.server';
import { auth, startApp, type TestApp } from './support/app';
import { freePort } from './support/free-port';
import { pagesClient } from './support/pages-client';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus text exposition → samples (enough of the format for prom-client's output). */
function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparsable metrics line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[l[1]] = l[2];
    }
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

/** The sum of the samples of one series name whose labels include `labels`. */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name)
    .filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

describe('metrics', () => {
  let t: TestApp;
  let metricsUrl: string;
  let pages: ReturnType<typeof pagesClient>;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    const port = await freePort();
    t = await startApp({ METRICS_PORT: String(port), HOST: '127.0.0.1' });
    pages = pagesClient(t.app);
    metricsUrl = `http://127.0.0.1:${t.app.get(MetricsServer).port}`;
  });
  afterAll(async () => t?.close());

  async function scrape(): Promise<Sample[]> {
    const res = await request(metricsUrl).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return parse(res.text);
  }

  it('serves /metrics on its own port, not on the HTTP port', async () => {
    await scrape();
    await http().get('/metrics').expect(404);
    await request(metricsUrl).get('/').expect(404);
  });

  it('exposes process metrics, event-loop lag included', async () => {
    const samples = await scrape();
    const names = new Set(samples.map((s) => s.name));
    for (const name of [
      'nodejs_eventloop_lag_seconds',
      'nodejs_eventloop_lag_p99_seconds',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(names).toContain(name);
    }
  });

  it('counts and times requests by route template, never by raw URL', async () => {
    const page = await pages.createPublished();
    const route = { route: '/v1/pages/:slug', method: 'GET' };
    const before = await scrape();

    for (let i = 0; i < 3; i += 1) await http().get(`/v1/pages/${page.slug}`).expect(200);
    await http().get('/v1/pages/no-such-page').expect(404);
    await http().get(`/no/such/${page.slug}/path`).expect(404);
    await http().get('/admin/v1/pages').set(auth).expect(200);

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) =>
      valueOf(after, name, labels) - valueOf(before, name, labels);
    expect(delta('http_requests_total', { ...route, status: '200' })).toBe(3);
    expect(delta('http_requests_total', { ...route, status: '404' })).toBe(1);
    expect(delta('http_requests_total', { route: 'unmatched', method: 'GET', status: '404' })).toBe(
      1,
    );
    expect(
      delta('http_requests_total', { route: '/admin/v1/pages', method: 'GET', status: '200' }),
    ).toBe(1);
    expect(delta('http_request_duration_seconds_count', { ...route, status: '200' })).toBe(3);
    expect(delta('http_request_duration_seconds_sum', { ...route, status: '200' })).toBeGreaterThan(
      0,
    );
    expect(
      delta('http_request_duration_seconds_bucket', { ...route, status: '200', le: '+Inf' }),
    ).toBe(3);
    // One duration metric, the histogram (no per-request sliding-window summary beside it).
    expect(after.some((s) => s.name.startsWith('http_request_duration_summary'))).toBe(false);

    const routes = new Set(
      after.filter((s) => s.name === 'http_requests_total').map((s) => s.labels.route),
    );
    for (const r of routes) expect(r).not.toContain(page.slug);
  });

  it('times database commands by command and collection', async () => {
    const before = await scrape();
    const page = await pages.createPublished();
    await http().get(`/v1/pages/${page.slug}`).expect(200);
    const after = await scrape();
    const delta = (labels: Record<string, string>) =>
      valueOf(after, 'db_operation_duration_seconds_count', labels) -
      valueOf(before, 'db_operation_duration_seconds_count', labels);

    expect(delta({ command: 'insert', collection: 'pages', outcome: 'success' })).toBeGreaterThan(
      0,
    );
    expect(delta({ command: 'find', collection: 'pages', outcome: 'success' })).toBeGreaterThan(0);
    expect(
      valueOf(after, 'db_operation_duration_seconds_sum', { command: 'find', collection: 'pages' }),
    ).toBeGreaterThan(0);
  });

  it('counts 5xx answers as errors by route', async () => {
    const before = await scrape();
    // A readiness probe while draining is a 503 the service itself produces. (Last test: the
    // app stays draining.)
    t.app.get(ShutdownState).beginDrain();
    await http().get('/health/ready').expect(503);
    const after = await scrape();
    const labels = { route: '/health/ready', method: 'GET' };
    expect(
      valueOf(after, 'http_request_errors_total', labels) -
        valueOf(before, 'http_request_errors_total', labels),
    ).toBe(1);
  });
});

describe('operational metrics of other modules', () => {
  let t: TestApp;
  let metricsUrl: string;

  beforeAll(async () => {
    // The worker is off, so what a publish records stays in the backlog.
    t = await startApp({
      METRICS_PORT: String(await freePort()),
      HOST: '127.0.0.1',
      CDN_INVALIDATION_WORKER_ENABLED: 'false',
      CLOUDFRONT_DISTRIBUTION_ID: 'EMETRICSTEST',
    });
    metricsUrl = `http://127.0.0.1:${t.app.get(MetricsServer).port}`;
  });
  afterAll(async () => t?.close());

  const scrapeText = async () => (await request(metricsUrl).get('/metrics').expect(200)).text;

  it('declares the invalidation, log-shipper and p99 metrics', async () => {
    const text = await scrapeText();
    for (const [name, type] of [
      // The CloudWatch pipeline's p99 (infra's collector keeps no histogram buckets).
      ['http_request_duration_p99_seconds', 'gauge'],
      ['cache_invalidation_backlog', 'gauge'],
      ['cache_invalidation_oldest_pending_age_seconds', 'gauge'],
      ['cache_invalidation_failed_total', 'counter'],
      ['log_shipper_dropped_total', 'counter'],
    ]) {
      expect(text).toContain(`# TYPE ${name} ${type}`);
    }
  });

  it('shows a publish in the invalidation backlog and its age', async () => {
    const before = parse(await scrapeText());
    await pagesClient(t.app).createPublished();
    const after = parse(await scrapeText());
    expect(
      valueOf(after, 'cache_invalidation_backlog') - valueOf(before, 'cache_invalidation_backlog'),
    ).toBeGreaterThanOrEqual(1);
    expect(valueOf(after, 'cache_invalidation_oldest_pending_age_seconds')).toBeGreaterThan(0);
  });
});
