import type { FastifyInstance } from 'fastify';
import { errorBody } from './all-exceptions.filter';
import { ErrorCode } from './error-code';

interface KnownPath {
  pattern: RegExp;
  methods: Set<string>;
}

/** A Fastify route URL (`/v1/pages/:slug/schedule.ics`, `/docs/*`) as an anchored RegExp. */
export function routePattern(url: string): RegExp {
  const source = url
    .split(/(:[A-Za-z0-9_]+|\*)/)
    .map((part) =>
      part === '*'
        ? '.*'
        : part.startsWith(':')
          ? '[^/]+'
          : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}$`);
}

/** The methods of the known routes whose URL matches `path`, sorted (the `Allow` value). */
export function allowedMethods(known: Iterable<KnownPath>, path: string): string[] {
  const methods = new Set<string>();
  for (const route of known) {
    if (route.pattern.test(path)) route.methods.forEach((m) => methods.add(m));
  }
  return [...methods].sort();
}

/**
 * A known path asked with a method it does not have answers `405` with `Allow` (RFC 9110 15.5.6)
 * in the usual error shape, not the `404` of an unknown path. Fastify's route table is the source:
 * every route is recorded as it is added, so new controllers need nothing. Register before routes.
 */
export function registerMethodNotAllowed(fastify: FastifyInstance): void {
  const known = new Map<string, KnownPath>();
  fastify.addHook('onRoute', (route) => {
    const entry = known.get(route.url) ?? { pattern: routePattern(route.url), methods: new Set() };
    for (const method of [route.method].flat()) entry.methods.add(method.toUpperCase());
    known.set(route.url, entry);
  });
  fastify.addHook('onRequest', function answerMethodNotAllowed(request, reply, done) {
    if (!request.is404) return done();
    const path = (request.raw.url ?? '/').split('?')[0];
    const allow = allowedMethods(known.values(), path);
    if (allow.length === 0) return done();
    const body = errorBody(
      {
        status: 405,
        code: ErrorCode.MethodNotAllowed,
        message: `${request.method} is not allowed on ${path}; allowed: ${allow.join(', ')}`,
      },
      request.id,
    );
    void reply
      .status(405)
      .header('allow', allow.join(', '))
      .header('content-type', 'application/json; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(body);
  });
}
