import { Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { HotResponse, HotRoute } from '../../core/http/hot-path';
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from '../../core/http/cursor-page.query';
import { PublicResponder } from '../../core/http/public-responder';
import { SLUG_PATTERN } from './dto/page-content.dto';
import { PagesService } from './pages.service';

/** The public read routes, as Fastify knows them (PagesController: `v1/pages` [+ `:slug`]). */
export const PUBLIC_PAGE_ROUTE = '/v1/pages/:slug';
export const PUBLIC_LIST_ROUTE = '/v1/pages';

const PREFIX = '/v1/pages/';
const LIST_LIMIT_QUERY = `${PUBLIC_LIST_ROUTE}?limit=`;

/**
 * The hot public page read, answered before Fastify (HotPathServer): `GET` or `HEAD
 * /v1/pages/<slug>`, exactly that path with no query, whose fresh in-process cache entry
 * (PublicCache.peekFresh) exists, is answered from it with the same PublicResponder as
 * PagesController. Anything else (another path or method, a query, a slug no page can have, a
 * miss, a copy due for its refresh, a cached "not found", the cache off) goes on to Fastify and
 * PagesController as before.
 *
 * Why it is safe to skip Fastify and Nest for a hit: the route is public (AccessGuard lets it
 * through), the slug is only a cache key (a hit means the controller already answered it), no
 * interceptor is registered, and nothing can throw. Why it is worth it: Fastify's and Nest's
 * per-request work (request and reply objects, hooks, guard, parameter and response layers) cost
 * several times what this answer costs (bench/README.md).
 */
@Injectable()
export class PublicPageFastPath implements HotRoute {
  readonly route = PUBLIC_PAGE_ROUTE;

  constructor(
    private readonly pages: PagesService,
    private readonly responder: PublicResponder,
  ) {}

  answer(req: IncomingMessage): HotResponse | undefined {
    const { method, url } = req;
    if ((method !== 'GET' && method !== 'HEAD') || !url?.startsWith(PREFIX)) return undefined;
    const slug = url.slice(PREFIX.length);
    // The pattern admits no `/`, `?`, `%` or `#`: a match is the whole, undecoded slug.
    if (!SLUG_PATTERN.test(slug)) return undefined;
    const hit = this.pages.cachedPublicPage(slug);
    if (!hit) return undefined;
    return this.responder.respond(hit, req.headers['if-none-match'], method);
  }
}

/**
 * The hot first page of the public list, answered before Fastify like the page read above:
 * `GET` or `HEAD /v1/pages` with no query, or with `?limit=N` alone (N written plainly, 1 to the
 * maximum), whose fresh cache entry exists. A cursor, any other parameter, a limit written
 * otherwise (`020`, `+5`, twice) or out of range, a miss or a copy due for its refresh go on to
 * Fastify, where PagesController validates the query (400 for what it refuses) and reads it.
 */
@Injectable()
export class PublicListFastPath implements HotRoute {
  readonly route = PUBLIC_LIST_ROUTE;

  constructor(
    private readonly pages: PagesService,
    private readonly responder: PublicResponder,
  ) {}

  answer(req: IncomingMessage): HotResponse | undefined {
    const { method, url } = req;
    if (method !== 'GET' && method !== 'HEAD') return undefined;
    const limit = url === PUBLIC_LIST_ROUTE ? DEFAULT_PAGE_LIMIT : limitOf(url);
    if (limit === undefined) return undefined;
    const hit = this.pages.cachedPublicList(limit);
    if (!hit) return undefined;
    return this.responder.respond(hit, req.headers['if-none-match'], method);
  }
}

/** N of a URL that is exactly `/v1/pages?limit=N`, N a plain decimal within the bounds. */
function limitOf(url: string | undefined): number | undefined {
  if (!url?.startsWith(LIST_LIMIT_QUERY)) return undefined;
  const digits = url.slice(LIST_LIMIT_QUERY.length);
  if (!/^[1-9]\d{0,2}$/.test(digits)) return undefined;
  const limit = Number(digits);
  return limit <= MAX_PAGE_LIMIT ? limit : undefined;
}
