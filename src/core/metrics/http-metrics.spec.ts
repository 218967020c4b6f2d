import { Counter, Histogram, register, Registry } from 'prom-client';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { recordRequest, routeLabel, UNMATCHED_ROUTE } from './http-metrics';

function exchange(url: string | undefined, method: string, statusCode: number, elapsedTime = 12) {
  const request = { routeOptions: { url }, method } as unknown as FastifyRequest;
  const reply = { statusCode, elapsedTime } as unknown as FastifyReply;
  return [request, reply] as const;
}

async function valueOf(name: string, labels: Record<string, string | number>) {
  const metric = await register.getSingleMetric(name)!.get();
  return metric.values.find(
    (v) =>
      Object.entries(labels).every(([k, l]) => v.labels[k] === l) &&
      (v as { metricName?: string }).metricName !== `${name}_sum`,
  )?.value;
}

describe('HTTP metrics', () => {
  beforeEach(() => register.resetMetrics());

  it('labels by the route template, and unmatched requests by one fixed label', () => {
    expect(routeLabel(exchange('/v1/pages/:slug', 'GET', 200)[0])).toBe('/v1/pages/:slug');
    expect(routeLabel(exchange(undefined, 'GET', 404)[0])).toBe(UNMATCHED_ROUTE);
  });

  it('counts and times requests (one histogram), and counts 5xx as errors', async () => {
    recordRequest(...exchange('/v1/pages/:slug', 'GET', 200));
    recordRequest(...exchange('/v1/pages/:slug', 'GET', 200));
    recordRequest(...exchange('/v1/pages/:slug', 'GET', 503));
    const route = '/v1/pages/:slug';
    expect(await valueOf('http_requests_total', { route, method: 'GET', status: 200 })).toBe(2);
    expect(await valueOf('http_requests_total', { route, method: 'GET', status: 503 })).toBe(1);
    expect(await valueOf('http_request_errors_total', { route, method: 'GET' })).toBe(1);
    const histogram = await register.getSingleMetric('http_request_duration_seconds')!.get();
    expect(histogram.values).toContainEqual(
      expect.objectContaining({
        metricName: 'http_request_duration_seconds_count',
        labels: { route, method: 'GET', status: 200 },
        value: 2,
      }),
    );
    // The histogram is the one duration metric: no sliding-window summary beside it.
    expect(register.getSingleMetric('http_request_duration_summary_seconds')).toBeUndefined();
  });

  it("exposes exactly what prom-client's own counter and histogram would for the same requests", async () => {
    const reference = new Registry();
    const labelNames = ['route', 'method', 'status'] as const;
    const counter = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests served, by route template, method and status code',
      labelNames,
      registers: [reference],
    });
    const histogram = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration in seconds, by route template, method and status code',
      labelNames,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [reference],
    });
    // On a bound, just above one, past the last bound, and two statuses of one route.
    const exchanges = [
      ['/v1/pages/:slug', 'GET', 200, 5],
      ['/v1/pages/:slug', 'GET', 200, 5.01],
      ['/v1/pages/:slug', 'GET', 200, 0.4],
      ['/v1/pages/:slug', 'GET', 304, 30_000],
      [UNMATCHED_ROUTE, 'POST', 404, 260],
    ] as const;
    for (const [route, method, status, ms] of exchanges) {
      recordRequest(...exchange(route, method, status, ms));
      counter.inc({ route, method, status });
      histogram.observe({ route, method, status }, ms / 1000);
    }
    for (const name of ['http_requests_total', 'http_request_duration_seconds']) {
      expect(await register.getSingleMetricAsString(name)).toBe(
        await reference.getSingleMetricAsString(name),
      );
    }
  });
  it('reports the p99 of the requests as a gauge, for pipelines without histogram buckets', async () => {
    for (let i = 0; i < 99; i++) recordRequest(...exchange('/v1/pages/:slug', 'GET', 200, 5));
    recordRequest(...exchange('/v1/pages', 'GET', 200, 3000));
    recordRequest(...exchange('/v1/pages/:slug', 'GET', 500, 3000));
    const p99 = (await register.getSingleMetric('http_request_duration_p99_seconds')!.get())
      .values[0].value;
    // histogram_quantile(0.99) of these buckets: rank 99.99 of 101 lies in (2.5, 5].
    expect(p99).toBeCloseTo(2.5 + 2.5 * (0.99 / 2));
  });
});
