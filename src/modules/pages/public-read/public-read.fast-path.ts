import { Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { CacheHit, PublicRepresentation } from '../../../core/cache/public-representation';
import type { HotRoute } from '../../../core/http/fast-path/hot-path.server';
import { DEFAULT_PAGE_LIMIT, parsePageLimit } from '../../../core/http/cursor-page.query';
import { PublicResponder } from '../../../core/http/fast-path/public-responder';
import { SLUG_PATTERN } from '../dto/page-content.dto';
import { PublicPagesService } from './public-pages.service';
import { PUBLIC_LIST_ROUTE, PUBLIC_PAGE_ROUTE } from './public-read.routes';

const PAGE_PREFIX = `${PUBLIC_LIST_ROUTE}/`;
const LIST_LIMIT_QUERY = `${PUBLIC_LIST_ROUTE}?limit=`;

/**
 * The hot public reads, answered before Fastify (HotPathServer) from a fresh in-process cache
 * entry (PublicCache.peekFresh) with the same PublicResponder as PagesController:
 *  - the page: `GET`/`HEAD /v1/pages/<slug>`, exactly that path with no query;
 *  - the list's first page: `GET`/`HEAD /v1/pages` with no query, or with `?limit=N` alone (N
 *    written plainly, 1 to the maximum).
 * Anything else (another path or method, any other query: a cursor, another parameter, a limit
 * written otherwise such as `020` or out of range; a slug no page can have; a miss, a copy due
 * for its refresh, a cached "not found", the cache off) goes on to Fastify and PagesController,
 * which validates it (400 for what it refuses) and reads it as before.
 *
 * Why it is safe to skip Fastify and Nest for a hit: the routes are public (AccessGuard lets them
 * through), the URL is only a cache key (a hit means the controller already answered it), nothing
 * can throw, and every hook, guard, interceptor, pipe and filter of these routes is one the fast
 * path reproduces or does not need (test/fast-path-skips.e2e-spec.ts fails on any other).
 * Why it is worth it: Fastify's and Nest's
 * per-request work (request and reply objects, hooks, guard, validation, parameter and response
 * layers) cost several times what this answer costs (bench/README.md).
 */
@Injectable()
export class PublicReadFastPaths {
  readonly routes: readonly HotRoute[];

  constructor(pages: PublicPagesService, responder: PublicResponder) {
    const hotRead = (
      route: string,
      cached: (url: string) => CacheHit<PublicRepresentation> | undefined,
    ): HotRoute => ({
      route,
      answer: (req: IncomingMessage) => {
        const { method, url } = req;
        if ((method !== 'GET' && method !== 'HEAD') || url === undefined) return undefined;
        const hit = cached(url);
        return hit && responder.respond(hit, req.headers['if-none-match'], method);
      },
    });
    this.routes = [
      hotRead(PUBLIC_PAGE_ROUTE, (url) => {
        const slug = url.startsWith(PAGE_PREFIX) ? url.slice(PAGE_PREFIX.length) : '';
        // The pattern admits no `/`, `?`, `%` or `#`: a match is the whole, undecoded slug.
        return SLUG_PATTERN.test(slug) ? pages.cachedPublicPage(slug) : undefined;
      }),
      hotRead(PUBLIC_LIST_ROUTE, (url) => {
        const limit = url === PUBLIC_LIST_ROUTE ? DEFAULT_PAGE_LIMIT : limitOf(url);
        return limit === undefined ? undefined : pages.cachedPublicList(limit);
      }),
    ];
  }
}

/**
 * N of a URL that is exactly `/v1/pages?limit=N`: a limit the list's DTO accepts, written plainly
 * (as `String(N)`; any other spelling is left to the controller).
 */
function limitOf(url: string): number | undefined {
  if (!url.startsWith(LIST_LIMIT_QUERY)) return undefined;
  const text = url.slice(LIST_LIMIT_QUERY.length);
  const limit = parsePageLimit(text);
  return limit !== undefined && String(limit) === text ? limit : undefined;
}
