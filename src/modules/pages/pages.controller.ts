import { Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import {
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AppConfig } from '../../core/config/app-config';
import { ErrorCode } from '../../core/errors/error-code';
import type { CacheHit, PublicRepresentation } from '../../core/cache/public-cache';
import { ApiErrors } from '../../core/openapi/api-errors';
import {
  publicCacheControl,
  publicCacheHeaders,
  staleCacheControl,
} from '../../core/http/cache-headers';
import { ifNoneMatchHits } from '../../core/http/preconditions';
import { PublicListQuery } from './dto/list-pages.query';
import { SLUG_PATTERN } from './dto/page-content.dto';
import { PublicPageDto, PublicPageListDto } from './dto/page-response.dto';
import { PagesService } from './pages.service';

/** Public, cacheable reads of live pages (served through CloudFront). */
@ApiTags('public pages')
@Controller('v1/pages')
export class PagesController {
  private readonly cache: AppConfig['cache'];
  private readonly cacheControl: string;
  private readonly staleCacheControl: string;

  constructor(
    private readonly pages: PagesService,
    config: AppConfig,
  ) {
    this.cache = config.cache;
    // The headers that depend on nothing but the config are built once.
    this.cacheControl = publicCacheControl(config.cache);
    this.staleCacheControl = staleCacheControl(config.cache);
  }

  @Get()
  @ApiOperation({ summary: 'List published pages (cursor pagination, ordered by slug)' })
  @ApiHeader({ name: 'If-None-Match', required: false, description: 'ETag of a copy held' })
  @ApiOkResponse({ type: PublicPageListDto, description: 'One page of the list; strong ETag' })
  @ApiResponse({ status: 304, description: 'Not modified: If-None-Match matches the ETag' })
  @ApiErrors(400)
  async list(
    @Query() query: PublicListQuery,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    this.sendCached(reply, await this.pages.publicList(query.limit, query.cursor), ifNoneMatch);
  }

  @Get(':slug')
  @ApiOperation({
    summary: 'The live page: strong ETag, Last-Modified, CDN cache headers, 304 on If-None-Match',
  })
  @ApiParam({ name: 'slug', schema: { type: 'string', pattern: SLUG_PATTERN.source } })
  @ApiHeader({ name: 'If-None-Match', required: false, description: 'ETag of a copy held' })
  @ApiOkResponse({ type: PublicPageDto, description: 'The live page; strong ETag, Last-Modified' })
  @ApiResponse({ status: 304, description: 'Not modified: If-None-Match matches the ETag' })
  @ApiErrors([404, 'Unknown, unpublished or archived slug', [ErrorCode.PageNotFound]])
  async get(
    @Param('slug') slug: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    this.sendCached(reply, await this.pages.publicPage(slug), ifNoneMatch);
  }

  private sendCached(
    reply: FastifyReply,
    hit: CacheHit<PublicRepresentation>,
    ifNoneMatch: string | undefined,
  ): void {
    // Body and validators were prepared when the copy was read (publicRepresentation).
    const { body, etag, lastModified, notAfter } = hit.value;
    if (!notAfter) {
      reply.header('cache-control', hit.stale ? this.staleCacheControl : this.cacheControl);
    } else {
      // Per response: a scheduled unpublish shortens every lifetime as it comes closer.
      const cache = publicCacheHeaders(this.cache, notAfter);
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
