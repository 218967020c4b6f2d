import { Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { OutgoingHttpHeaders } from 'node:http';
import type { CacheHit, PublicRepresentation } from '../../cache/public-representation';
import { AppConfig } from '../../config/app-config';
import type { HotResponse } from './hot-path.server';
import { publicCacheControl, publicCacheHeaders, staleCacheControl } from '../cache-headers';
import { ifNoneMatchHits } from '../preconditions';

/**
 * Sends a public representation (a cached page or list page) with its CDN cache headers, strong
 * ETag, Last-Modified and Age, or `304` when `If-None-Match` matches. One place for the public
 * read routes (through Fastify) and for their fast paths (pages/public-read/public-read.fast-path.ts, before
 * Fastify), so both answer alike.
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

  /**
   * The answer to a read of `hit`: `304` when `If-None-Match` matches, else `200` with the body
   * (none for `HEAD`, whose `content-length` is still the body's).
   */
  respond(
    hit: CacheHit<PublicRepresentation>,
    ifNoneMatch: string | string[] | undefined,
    method: string,
  ): HotResponse {
    // Body and validators were prepared when the copy was read (publicRepresentation).
    const { body, etag, lastModified, notAfter } = hit.value;
    const headers: OutgoingHttpHeaders = {};
    if (!notAfter) {
      headers['cache-control'] = hit.stale ? this.staleCacheControl : this.cacheControl;
    } else {
      // Per response: a scheduled unpublish shortens every lifetime as it comes closer.
      const cache = publicCacheHeaders(this.lifetimes, notAfter);
      headers['cache-control'] = hit.stale ? this.staleCacheControl : cache.cacheControl;
      if (cache.expires) headers.expires = cache.expires;
    }
    headers.etag = etag;
    if (hit.stale || hit.ageSeconds > 0) headers.age = String(hit.ageSeconds);
    if (lastModified) headers['last-modified'] = lastModified;
    if (ifNoneMatchHits(ifNoneMatch, etag)) return { statusCode: 304, headers };
    headers['content-type'] = 'application/json; charset=utf-8';
    headers['content-length'] = body.length;
    return { statusCode: 200, headers, body: method === 'HEAD' ? undefined : body };
  }

  /**
   * `301` to `location` (a path the caller built from the route), cacheable like the page it
   * points to: no longer than that page's scheduled unpublish (`notAfter`), after which the
   * redirect would point to a 404.
   */
  redirect(reply: FastifyReply, location: string, notAfter: Date | null): void {
    const cache = notAfter
      ? publicCacheHeaders(this.lifetimes, notAfter)
      : { cacheControl: this.cacheControl };
    if (cache.expires) void reply.header('expires', cache.expires);
    void reply
      .status(301)
      .header('cache-control', cache.cacheControl)
      .header('location', location)
      .send();
  }

  /** respond(), through Fastify's reply (the controllers' path). */
  send(
    reply: FastifyReply,
    hit: CacheHit<PublicRepresentation>,
    ifNoneMatch: string | string[] | undefined,
  ): void {
    // As for GET: Fastify's HEAD route drops the body itself and keeps its content-length.
    const answer = this.respond(hit, ifNoneMatch, 'GET');
    void reply.status(answer.statusCode).headers(answer.headers).send(answer.body);
  }
}
