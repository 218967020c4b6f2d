import type { FastifyServerFactory } from 'fastify';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import { recordExchange } from '../../metrics/http-metrics';
import type { AccessLog } from '../../logging/access-log';
import { requestIdOf } from '../request-id';

/** A complete answer, made without side effects: the hot path writes, logs and counts it. */
export interface HotResponse {
  statusCode: number;
  headers: OutgoingHttpHeaders;
  /** Omitted for `304` and `HEAD` (whose `content-length` is still the body's). */
  body?: Buffer;
}

/** Answers a request of its route from memory, or returns undefined to leave it to Fastify. */
export interface HotRoute {
  /** The route template the answer is logged and counted under, as Fastify would name it. */
  readonly route: string;
  answer(req: IncomingMessage): HotResponse | undefined;
}

/**
 * The node:http server Fastify runs on (FastifyAdapter's `serverFactory`), with hot routes in
 * front of Fastify: a request one of them can answer from memory (a fresh public-cache hit) is
 * answered there, without Fastify's request and reply objects, its hooks or Nest's pipeline;
 * anything else, and everything while `open()` is false (load shedding, closing), goes to Fastify
 * unchanged. The routes are asked in order; each looks at the method and URL first, so a request
 * for none of them costs a few string comparisons.
 *
 * What the request would have had from the app's hooks it gets here too: its request id (echoed
 * in `x-request-id`), the one access line and the route metrics (request-hooks.ts). Nothing in it
 * logs or throws, so it needs no request scope and no error filter.
 */
export class HotPathServer {
  private routes: readonly HotRoute[] = [];
  private open: () => boolean = () => false;

  constructor(private readonly accessLog: AccessLog) {}

  /** The routes to answer early, and when they may (called once Nest has made its providers). */
  use(routes: readonly HotRoute[], open: () => boolean): void {
    this.routes = routes;
    this.open = open;
  }

  /** For `new FastifyAdapter({ serverFactory })`. */
  readonly serverFactory: FastifyServerFactory = (handler, options) => {
    const server = createServer(options.http ?? {}, (req, res) => {
      const start = performance.now();
      let route: HotRoute | undefined;
      let answer: HotResponse | undefined;
      if (this.open()) {
        for (const candidate of this.routes) {
          answer = candidate.answer(req);
          if (answer) {
            route = candidate;
            break;
          }
        }
      }
      if (!route || !answer) return handler(req, res);
      const id = requestIdOf(req);
      answer.headers['x-request-id'] = id;
      res.writeHead(answer.statusCode, answer.headers);
      res.end(answer.body);
      // Timed to the hand-off to the socket (Fastify's elapsedTime runs to 'finish', which for a
      // response this size comes in the same turn): no listener per request.
      const elapsedTime = performance.now() - start;
      const exchange = { statusCode: answer.statusCode, elapsedTime };
      recordExchange(route.route, req.method as string, exchange);
      this.accessLog.write(
        { id, method: req.method as string, url: req.url as string },
        exchange,
        route.route,
      );
    });
    // What Fastify sets on the server it makes itself (its lib/server.js), not on a factory's.
    server.keepAliveTimeout = options.keepAliveTimeout as number;
    server.requestTimeout = options.requestTimeout as number;
    server.setTimeout(options.connectionTimeout as number);
    const perSocket = options.maxRequestsPerSocket as number | undefined;
    if (perSocket && perSocket > 0) server.maxRequestsPerSocket = perSocket;
    return server;
  };
}
