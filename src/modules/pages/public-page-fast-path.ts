import { Injectable } from '@nestjs/common';
import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import { PublicResponder } from '../../core/http/public-responder';
import { PagesService } from './pages.service';

/** The public page read's route, as Fastify knows it (PagesController: `v1/pages` + `:slug`). */
export const PUBLIC_PAGE_ROUTE = '/v1/pages/:slug';

/**
 * The hot public page read without Nest's per-request pipeline: a route-level `onRequest` hook on
 * `GET` (and `HEAD`) `/v1/pages/:slug` answers a fresh in-process cache hit (PublicCache.peekFresh) itself, with
 * the same PublicResponder as the controller. Anything else (a miss, a copy due for its refresh,
 * a cached "not found", the cache off) goes on to PagesController as before.
 *
 * Why it is safe to skip Nest for a hit: the route is public (AccessGuard lets it through), the
 * slug is only a cache key (a hit means the controller already answered it), no interceptor is
 * registered, and nothing can throw. The app's own hooks still run: the request id and request
 * scope and load shedding before (global hooks come first), the access line and the route
 * metrics after. Why it is worth it: Nest's guard, parameter and response layers cost about as
 * much CPU per request as everything else together (bench/README.md).
 */
@Injectable()
export class PublicPageFastPath {
  constructor(
    private readonly pages: PagesService,
    private readonly responder: PublicResponder,
  ) {}

  /** Attaches the hook as the route is added: call before the routes are (createApp). */
  register(fastify: FastifyInstance): void {
    const serveCachedPage: onRequestHookHandler = (request, reply, done) => {
      const hit = this.pages.cachedPublicPage((request.params as { slug: string }).slug);
      if (!hit) return done();
      // Answered here: not calling done() ends the request's hook chain (Fastify hooks).
      this.responder.send(reply, hit, request.headers['if-none-match']);
    };
    fastify.addHook('onRoute', (route) => {
      const reads = [route.method].flat().filter((m) => m === 'GET' || m === 'HEAD');
      if (route.url !== PUBLIC_PAGE_ROUTE || reads.length === 0) return;
      route.onRequest = [...[route.onRequest ?? []].flat(), serveCachedPage];
    });
  }
}
