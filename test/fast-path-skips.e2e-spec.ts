import {
  EXCEPTION_FILTERS_METADATA,
  GUARDS_METADATA,
  INTERCEPTORS_METADATA,
  PIPES_METADATA,
} from '@nestjs/common/constants';
import { ApplicationConfig } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { REQUIRED_ROLE } from '../src/core/auth/require-role.decorator';
import { PagesController } from '../src/modules/pages/pages.controller';
import {
  PUBLIC_LIST_ROUTE,
  PUBLIC_PAGE_ROUTE,
} from '../src/modules/pages/public-read/public-read.routes';
import { startApp, type TestApp } from './support/app';

/**
 * A fresh cache hit of a public read is answered before Fastify and Nest
 * (core/http/fast-path/hot-path.server.ts): every Fastify hook of those routes and every Nest
 * guard, interceptor, pipe and filter that applies to them is skipped. This lists what the fast
 * path is known to reproduce or not to need; anything added to the request pipeline of those
 * routes fails here until it is either reproduced by the fast path or listed with the reason a
 * cache hit may skip it.
 */
const KNOWN_NEST = {
  // The public reads are public: the guard lets them through (it only counts and checks auth).
  'guard AccessGuard': 'the public reads need no identity: the guard lets every request through',
  // The fast path takes only URLs whose every part the DTOs accept (parsePageLimit, SLUG_PATTERN).
  'pipe BodyRequiredValidationPipe': 'the fast path answers only URLs the pipe accepts unchanged',
  'filter AllExceptionsFilter': 'nothing on the fast path throws',
} as const;

/** Per route and method: each hook kind with its functions' names, in order, as Fastify runs them. */
const KNOWN_FASTIFY_HOOKS = {
  onRequest: [
    // NestJS's FastifyAdapter: its lifecycle, 503-on-closing, CORS, security-header, routable-URL
    // and version-extractor hooks, each idle in this app (none of those features is enabled;
    // while closing the fast path steps aside, see app.factory.ts).
    ...Array<string>(6).fill('anonymous()'),
    // core/logging/request-hooks.ts: the request id, which the fast path echoes too.
    'echoRequestIdAndEnterScope()',
    // @fastify/under-pressure (load shedding): the fast path steps aside under pressure.
    'onRequest()',
    // core/errors/method-not-allowed.ts: acts on unmatched requests only.
    'answerMethodNotAllowed()',
  ],
  // @fastify/compress's request decompression: a GET or HEAD has no body.
  preParsing: ['preParsing()'],
  onResponse: [
    // NestJS's FastifyAdapter: its (unset) lifecycle hook.
    'anonymous()',
    // core/logging/request-hooks.ts: route metrics and the access line, which the fast path
    // writes itself (HotPathServer).
    'recordMetricsAndAccessLine()',
  ],
};

/** Fastify's own HEAD handling (the body dropped, content-length kept), which the fast path does. */
const HEAD_ON_SEND = ['headRouteOnSendHandler()'];

describe('what a fast-path cache hit skips', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is only the global Nest enhancers the fast path is known to reproduce or not to need', () => {
    const found = globalEnhancers(t.app);
    const unknown = found.filter((name) => !(name in KNOWN_NEST));
    expect({ unknown, missing: Object.keys(KNOWN_NEST).filter((n) => !found.includes(n)) }).toEqual(
      {
        // A name here is registered globally (APP_GUARD/APP_INTERCEPTOR/APP_PIPE/APP_FILTER or
        // app.useGlobal*) but a fast-path cache hit of /v1/pages[/:slug] would never run it:
        // make the fast path reproduce it (or step aside), then list it in KNOWN_NEST.
        unknown: [],
        missing: [],
      },
    );
  });

  it('includes no guard, interceptor, pipe, filter or role on PagesController or its reads', () => {
    const keys = [
      GUARDS_METADATA,
      INTERCEPTORS_METADATA,
      PIPES_METADATA,
      EXCEPTION_FILTERS_METADATA,
    ];
    const targets = [
      PagesController,
      ...['list', 'get'].map((m) => Reflect.get(PagesController.prototype, m) as object),
    ];
    const declared = targets.flatMap((target) =>
      keys.flatMap((key) => {
        const list = Reflect.getMetadata(key, target) as unknown[] | undefined;
        return (list ?? []).map((e) => `${key} on ${nameOf(target)}: ${nameOf(e)}`);
      }),
    );
    // A cache hit never reaches the controller: what is declared on it would be skipped.
    expect(declared).toEqual([]);
    // AccessGuard lets the reads through because they declare no role (routes outside /admin
    // are public unless they do); a role here would be a check the fast path skips.
    expect(targets.map((target) => Reflect.getMetadata(REQUIRED_ROLE, target) as unknown)).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it.each([
    ['GET', PUBLIC_LIST_ROUTE],
    ['HEAD', PUBLIC_LIST_ROUTE],
    ['GET', PUBLIC_PAGE_ROUTE],
    ['HEAD', PUBLIC_PAGE_ROUTE],
  ])('is only the Fastify hooks of %s %s the fast path is known to reproduce', (method, route) => {
    const hooks = routeHooks(t.app, method, route);
    // A hook here that the list does not name runs on every request of the route through Fastify
    // but never on a fast-path cache hit: make the fast path reproduce it (or step aside), then
    // list it in KNOWN_FASTIFY_HOOKS.
    expect(hooks).toEqual(
      method === 'HEAD' ? { ...KNOWN_FASTIFY_HOOKS, onSend: HEAD_ON_SEND } : KNOWN_FASTIFY_HOOKS,
    );
  });
});

const nameOf = (enhancer: unknown): string =>
  typeof enhancer === 'function'
    ? enhancer.name
    : ((enhancer as object | null)?.constructor.name ?? String(enhancer));

/** `<kind> <class>` of every global guard, interceptor, pipe and filter, however registered. */
function globalEnhancers(app: NestFastifyApplication): string[] {
  // Nest keeps them in the application's ApplicationConfig (APP_* providers join it at init),
  // which has no public getter on the application.
  const config: unknown = Reflect.get(app, 'config');
  if (!(config instanceof ApplicationConfig))
    throw new Error('NestApplication no longer keeps its ApplicationConfig in `config`');
  const wrapped = (list: { metatype: unknown }[]) => list.map((w) => nameOf(w.metatype));
  return [
    ...[...config.getGlobalGuards().map(nameOf), ...wrapped(config.getGlobalRequestGuards())].map(
      (n) => `guard ${n}`,
    ),
    ...[
      ...config.getGlobalInterceptors().map(nameOf),
      ...wrapped(config.getGlobalRequestInterceptors()),
    ].map((n) => `interceptor ${n}`),
    ...[...config.getGlobalPipes().map(nameOf), ...wrapped(config.getGlobalRequestPipes())].map(
      (n) => `pipe ${n}`,
    ),
    ...[...config.getGlobalFilters().map(nameOf), ...wrapped(config.getGlobalRequestFilters())].map(
      (n) => `filter ${n}`,
    ),
    ...config.getGlobalPreRequestHooks().map((h) => `pre-request hook ${nameOf(h)}`),
  ];
}

/**
 * The hooks Fastify runs for `method route`, by kind, from its route table as `printRoutes`
 * (with `includeHooks`) shows it: Fastify's supported way to list a route's hooks.
 */
function routeHooks(
  app: NestFastifyApplication,
  method: string,
  route: string,
): Record<string, string[]> {
  const table = app.getHttpAdapter().getInstance().printRoutes({
    includeHooks: true,
    commonPrefix: false,
  });
  const path: string[] = [];
  let current = '';
  const hooks: Record<string, Record<string, string[]>> = {};
  for (const line of table.split('\n')) {
    const chunks = /^((?:│ {3}| {4}|├── |└── )*)(.*)$/.exec(line) as RegExpExecArray;
    const prefix = chunks[1];
    const rest = chunks[2];
    const depth = prefix.length / 4;
    const hook = /^• \((\w+)\) (\[.*\])$/.exec(rest);
    if (hook) {
      (hooks[current] ??= {})[hook[1]] = JSON.parse(hook[2]) as string[];
      continue;
    }
    const node = /^(.*?)(?: \(([A-Z, ]+)\))?$/.exec(rest);
    if (!node || rest === '') continue;
    // A node (`├── seg (GET)`) or another method of the node above (`│   seg (HEAD)`): either way
    // the segment at this depth.
    const at = depth - 1;
    path.length = at;
    path[at] = node[1];
    const methods = node[2]?.split(', ') ?? [];
    current = methods.includes(method) ? `${method} ${path.join('')}` : '';
  }
  const found = hooks[`${method} ${route}`];
  if (!found) throw new Error(`no route ${method} ${route} in Fastify's table:\n${table}`);
  return found;
}
