import { Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { HotResponse, HotRoute } from '../../core/http/hot-path';
import { PublicResponder } from '../../core/http/public-responder';
import { SLUG_PATTERN } from './dto/page-content.dto';
import { PagesService } from './pages.service';

/** The public page read's route, as Fastify knows it (PagesController: `v1/pages` + `:slug`). */
export const PUBLIC_PAGE_ROUTE = '/v1/pages/:slug';

const PREFIX = '/v1/pages/';

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
