import type { FastifyReply, FastifyRequest } from 'fastify';
import { QuantileWindow } from './latency-window';
import { gauge, scraped, type Sample } from './registry';

/** The route label of requests no route matched (404s, probes of random paths). */
export const UNMATCHED_ROUTE = 'unmatched';

const DURATION = 'http_request_duration_seconds';
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The route template Fastify matched (`/v1/pages/:slug`), never the raw URL, so the label set
 * stays bounded whatever clients send. `routeOptions` is a getter that builds an object on every
 * read: read it once per request and pass the result on.
 */
export function routeLabel(request: Pick<FastifyRequest, 'routeOptions'>): string {
  return request.routeOptions.url ?? UNMATCHED_ROUTE;
}

/** One (route, method) pair's 5xx count, shared by its statuses' series. */
interface ErrorSeries {
  labels: { route: string; method: string };
  count: number;
}

/** One (route, method, status): its request count and duration histogram, as plain numbers. */
interface Series {
  labels: { route: string; method: string; status: number };
  count: number;
  sum: number;
  /** Observations per bucket (not cumulative); above the last bound only `count` has them. */
  buckets: Float64Array;
  errors: ErrorSeries | undefined;
}

/**
 * Series by route, method and status, made on first use and kept: the set is bounded (route
 * templates × methods × statuses), and a request then finds its series without building a label
 * object or a string key. The numbers are handed to prom-client at scrape time (`scraped`).
 */
let seriesByRoute = new Map<string, Map<string, Map<number, Series>>>();
let errorSeries = new Map<string, ErrorSeries>();

function seriesOf(route: string, method: string, status: number): Series {
  let byMethod = seriesByRoute.get(route);
  if (!byMethod) seriesByRoute.set(route, (byMethod = new Map<string, Map<number, Series>>()));
  let byStatus = byMethod.get(method);
  if (!byStatus) byMethod.set(method, (byStatus = new Map<number, Series>()));
  let series = byStatus.get(status);
  if (!series) {
    let errors: ErrorSeries | undefined;
    if (status >= 500) {
      const key = `${method} ${route}`;
      errors = errorSeries.get(key);
      if (!errors) errorSeries.set(key, (errors = { labels: { route, method }, count: 0 }));
    }
    series = {
      labels: { route, method, status },
      count: 0,
      sum: 0,
      buckets: new Float64Array(BUCKETS.length),
      errors,
    };
    byStatus.set(status, series);
  }
  return series;
}

function* allSeries(): Generator<Series> {
  for (const byMethod of seriesByRoute.values()) {
    for (const byStatus of byMethod.values()) yield* byStatus.values();
  }
}

/** Resets all three HTTP metrics at once: they share their series (tests call resetMetrics). */
function reset(): void {
  seriesByRoute = new Map();
  errorSeries = new Map();
}

scraped({
  name: 'http_requests_total',
  help: 'HTTP requests served, by route template, method and status code',
  type: 'counter',
  samples: () => [...allSeries()].map((s) => ({ labels: s.labels, value: s.count })),
  reset,
});

scraped({
  name: 'http_request_errors_total',
  help: 'HTTP requests answered with a 5xx status, by route template and method',
  type: 'counter',
  samples: () => [...errorSeries.values()].map((e) => ({ labels: e.labels, value: e.count })),
  reset,
});

// One duration metric: Prometheus (the chart's ServiceMonitor and alert rules) takes quantiles
// from the buckets; a sliding-window summary cost every request five t-digest insertions.
scraped({
  name: DURATION,
  help: 'HTTP request duration in seconds, by route template, method and status code',
  type: 'histogram',
  samples: () => {
    const samples: Sample[] = [];
    for (const s of allSeries()) {
      let cumulative = 0;
      BUCKETS.forEach((le, i) => {
        cumulative += s.buckets[i];
        samples.push({
          labels: { le, ...s.labels },
          value: cumulative,
          metricName: `${DURATION}_bucket`,
        });
      });
      samples.push(
        { labels: { le: '+Inf', ...s.labels }, value: s.count, metricName: `${DURATION}_bucket` },
        { labels: s.labels, value: s.sum, metricName: `${DURATION}_sum` },
        { labels: s.labels, value: s.count, metricName: `${DURATION}_count` },
      );
    }
    return samples;
  },
  reset,
});

/** Requests per duration bucket since the start, over every series, +Inf last (not cumulative). */
function bucketTotals(): number[] {
  const totals = new Array<number>(BUCKETS.length + 1).fill(0);
  for (const s of allSeries()) {
    let finite = 0;
    s.buckets.forEach((n, i) => {
      totals[i] += n;
      finite += n;
    });
    totals[BUCKETS.length] += s.count - finite;
  }
  return totals;
}

const p99Window = new QuantileWindow(BUCKETS, bucketTotals);

// The p99 of the histogram above over the last 5 minutes, for CloudWatch: its EMF exporter keeps
// no buckets, so it cannot compute a percentile (docs/deploy.md, "Service metrics in CloudWatch").
gauge({
  name: 'http_request_duration_p99_seconds',
  help: 'p99 of http_request_duration_seconds over the last 5 minutes in this process (NaN: no requests)',
  collect() {
    this.set(p99Window.quantile(0.99));
  },
});

/** Counts and times one answered request: a few additions on numbers, nothing allocated. */
export function recordRequest(
  request: Pick<FastifyRequest, 'routeOptions' | 'method'>,
  reply: Pick<FastifyReply, 'statusCode' | 'elapsedTime'>,
  route: string = routeLabel(request),
): void {
  recordExchange(route, request.method, reply);
}

/** recordRequest for a request answered before Fastify (core/http/hot-path.ts). */
export function recordExchange(
  route: string,
  method: string,
  reply: Pick<FastifyReply, 'statusCode' | 'elapsedTime'>,
): void {
  const series = seriesOf(route, method, reply.statusCode);
  const seconds = reply.elapsedTime / 1000;
  series.count += 1;
  series.sum += seconds;
  let bucket = 0;
  while (bucket < BUCKETS.length && seconds > BUCKETS[bucket]) bucket += 1;
  if (bucket < BUCKETS.length) series.buckets[bucket] += 1;
  if (series.errors) series.errors.count += 1;
}
