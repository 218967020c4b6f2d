import { Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AppConfig } from '../../core/config/app-config';
import { ErrorResponseDto } from '../../core/errors/error-response.dto';
import type { CacheHit, PublicRepresentation } from '../../core/cache/public-cache';
import {
  publicCacheControl,
  publicCacheHeaders,
  staleCacheControl,
} from '../../core/http/cache-headers';
import { ifNoneMatchHits } from '../../core/http/preconditions';
import { PublicListQuery } from './dto/list-pages.query';
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
  @ApiOkResponse({ type: PublicPageListDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
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
  @ApiHeader({ name: 'If-None-Match', required: false })
  @ApiOkResponse({ type: PublicPageDto })
  @ApiResponse({ status: 304, description: 'Not modified' })
  @ApiNotFoundResponse({
    type: ErrorResponseDto,
    description: 'Unknown, unpublished or archived slug',
  })
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
