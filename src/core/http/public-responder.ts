import { Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { CacheHit, PublicRepresentation } from '../cache/public-cache';
import { AppConfig } from '../config/app-config';
import { publicCacheControl, publicCacheHeaders, staleCacheControl } from './cache-headers';
import { ifNoneMatchHits } from './preconditions';

/**
 * Sends a public representation (a cached page or list page) with its CDN cache headers, strong
 * ETag, Last-Modified and Age, or `304` when `If-None-Match` matches. One place for the public
 * read routes and for the page read's fast path (PublicPageFastPath), so both answer alike.
 */
@Injectable()
export class PublicResponder {
  private readonly lifetimes: AppConfig['cache'];
  private readonly cacheControl: string;
  private readonly staleCacheControl: string;

  constructor(config: AppConfig) {
    this.lifetimes = config.cache;
    // The headers that depend on nothing but the config are built once.
    this.cacheControl = publicCacheControl(config.cache);
    this.staleCacheControl = staleCacheControl(config.cache);
  }

  send(
    reply: FastifyReply,
    hit: CacheHit<PublicRepresentation>,
    ifNoneMatch: string | string[] | undefined,
  ): void {
    // Body and validators were prepared when the copy was read (publicRepresentation).
    const { body, etag, lastModified, notAfter } = hit.value;
    if (!notAfter) {
      reply.header('cache-control', hit.stale ? this.staleCacheControl : this.cacheControl);
    } else {
      // Per response: a scheduled unpublish shortens every lifetime as it comes closer.
      const cache = publicCacheHeaders(this.lifetimes, notAfter);
      reply.header('cache-control', hit.stale ? this.staleCacheControl : cache.cacheControl);
      if (cache.expires) reply.header('expires', cache.expires);
    }
    reply.header('etag', etag);
    if (hit.stale || hit.ageSeconds > 0) reply.header('age', String(hit.ageSeconds));
    if (lastModified) reply.header('last-modified', lastModified);
    if (ifNoneMatchHits(ifNoneMatch, etag)) {
      void reply.status(304).send();
      return;
    }
    void reply.header('content-type', 'application/json; charset=utf-8').send(body);
  }
}
