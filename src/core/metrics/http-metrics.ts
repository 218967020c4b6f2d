import type { FastifyReply, FastifyRequest } from 'fastify';
import { counter, histogram } from './registry';

/** The route label of requests no route matched (404s, probes of random paths). */
export const UNMATCHED_ROUTE = 'unmatched';

const LABELS = ['route', 'method', 'status'] as const;

const requests = counter({
  name: 'http_requests_total',
  help: 'HTTP requests served, by route template, method and status code',
  labelNames: LABELS,
});

const errors = counter({
  name: 'http_request_errors_total',
  help: 'HTTP requests answered with a 5xx status, by route template and method',
  labelNames: ['route', 'method'] as const,
});

const duration = histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP request duration in seconds, by route template, method and status code',
  labelNames: LABELS,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});

// No Summary beside the histogram: Prometheus (the chart's ServiceMonitor and alert rules) takes
// quantiles from the buckets, and a sliding-window summary cost every request five t-digest
// insertions (~4 % of the CPU of a /health/live request, bench/README.md).

/**
 * The route template Fastify matched (`/v1/pages/:slug`), never the raw URL, so the label set
 * stays bounded whatever clients send. `routeOptions` is a getter that builds an object on every
 * read: read it once per request and pass the result on.
 */
export function routeLabel(request: Pick<FastifyRequest, 'routeOptions'>): string {
  return request.routeOptions.url ?? UNMATCHED_ROUTE;
}

interface Series {
  labels: { route: string; method: string; status: number };
  errorLabels: { route: string; method: string } | undefined;
}

/**
 * Label objects per (route, method, status), made on first use and kept: the set is bounded
 * (route templates × methods × statuses), and a request then looks its series up without
 * building label objects or a string key.
 */
const seriesByRoute = new Map<string, Map<string, Map<number, Series>>>();

function seriesOf(route: string, method: string, status: number): Series {
  let byMethod = seriesByRoute.get(route);
  if (!byMethod) seriesByRoute.set(route, (byMethod = new Map<string, Map<number, Series>>()));
  let byStatus = byMethod.get(method);
  if (!byStatus) byMethod.set(method, (byStatus = new Map<number, Series>()));
  let series = byStatus.get(status);
  if (!series) {
    series = {
      labels: { route, method, status },
      errorLabels: status >= 500 ? { route, method } : undefined,
    };
    byStatus.set(status, series);
  }
  return series;
}

export function recordRequest(
  request: Pick<FastifyRequest, 'routeOptions' | 'method'>,
  reply: Pick<FastifyReply, 'statusCode' | 'elapsedTime'>,
  route: string = routeLabel(request),
): void {
  const series = seriesOf(route, request.method, reply.statusCode);
  const seconds = reply.elapsedTime / 1000;
  requests.inc(series.labels);
  duration.observe(series.labels, seconds);
  if (series.errorLabels) errors.inc(series.errorLabels);
}
