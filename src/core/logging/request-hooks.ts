import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { recordRequest, UNMATCHED_ROUTE } from '../metrics/http-metrics';
import { AccessLog } from './access-log';
import { requestScope } from './request-scope';

/**
 * The service's own per-request work, two hooks in all:
 *  - onRequest: echo the request id (made by genReqId) and enter the request scope, so log lines
 *    written while handling the request carry its id;
 *  - onResponse: the route metrics and the one access line, from one read of the route template.
 * Everything they need beyond the request itself (the access logger, metric label objects) is
 * made at boot or on a series' first use.
 */
export function registerRequestHooks(fastify: FastifyInstance, logger: Logger): void {
  const accessLog = new AccessLog(logger);
  // Named: test/fast-path-skips.e2e-spec.ts tells the fast path's routes' hooks apart by name.
  fastify.addHook('onRequest', function echoRequestIdAndEnterScope(request, reply, done) {
    void reply.header('x-request-id', request.id);
    requestScope.run(request.id, done);
  });
  fastify.addHook('onResponse', function recordMetricsAndAccessLine(request, reply, done) {
    // A getter that builds an options object on every read: once per request.
    const route = request.routeOptions.url;
    recordRequest(request, reply, route ?? UNMATCHED_ROUTE);
    accessLog.write(request, reply, route);
    done();
  });
}
