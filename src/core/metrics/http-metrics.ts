import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Summary } from 'prom-client';
import { counter, histogram, summary } from './registry';

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

// CloudWatch's agent drops histograms; it takes summaries (quantiles as gauges, sum/count as
// counters). Fewer labels than the histogram: each series holds a sliding-window digest.
const durationSummary: Summary<'route' | 'method'> = summary({
  name: 'http_request_duration_summary_seconds',
  help: 'HTTP request duration in seconds over a sliding 60 s window, by route template and method',
  labelNames: ['route', 'method'] as const,
  percentiles: [0.5, 0.9, 0.99],
  maxAgeSeconds: 60,
  ageBuckets: 5,
});

/**
 * The route template Fastify matched (`/v1/pages/:slug`), never the raw URL, so the label set
 * stays bounded whatever clients send.
 */
export function routeLabel(request: Pick<FastifyRequest, 'routeOptions'>): string {
  return request.routeOptions.url ?? UNMATCHED_ROUTE;
}

export function recordRequest(request: FastifyRequest, reply: FastifyReply): void {
  const route = routeLabel(request);
  const method = request.method;
  const status = reply.statusCode;
  const seconds = reply.elapsedTime / 1000;
  requests.inc({ route, method, status });
  duration.observe({ route, method, status }, seconds);
  durationSummary.observe({ route, method }, seconds);
  if (status >= 500) errors.inc({ route, method });
}

/** Counts and times every response of the public/admin HTTP server. */
export function registerHttpMetrics(fastify: FastifyInstance): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    recordRequest(request, reply);
    done();
  });
}
