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
import { publicCacheHeaders } from '../../core/http/cache-headers';
import { contentEtag, ifNoneMatchHits } from '../../core/http/preconditions';
import { PublicListQuery } from './dto/list-pages.query';
import { PublicPageDto, PublicPageListDto } from './dto/page-response.dto';
import { toPublicList } from './page.presenter';
import { PagesService } from './pages.service';

/** Public, cacheable reads of live pages (served through CloudFront). */
@ApiTags('public pages')
@Controller('v1/pages')
export class PagesController {
  private readonly cache: AppConfig['cache'];

  constructor(
    private readonly pages: PagesService,
    config: AppConfig,
  ) {
    this.cache = config.cache;
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
    const page = await this.pages.listPublished(query.limit, query.cursor);
    const body = JSON.stringify(toPublicList(page.items, page.nextCursor));
    this.sendCached(reply, body, contentEtag(body), undefined, ifNoneMatch);
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
    const page = await this.pages.findPublic(slug);
    this.sendCached(
      reply,
      page.live.body,
      page.live.etag,
      page.live.updatedAt,
      ifNoneMatch,
      page.nextUnpublishAt,
    );
  }

  private sendCached(
    reply: FastifyReply,
    body: string,
    etag: string,
    lastModified: Date | undefined,
    ifNoneMatch: string | undefined,
    notAfter?: Date | null,
  ): void {
    // Computed per response: a scheduled unpublish shortens every lifetime as it comes closer.
    const cache = publicCacheHeaders(this.cache, notAfter);
    reply.header('cache-control', cache.cacheControl).header('etag', etag);
    if (cache.expires) reply.header('expires', cache.expires);
    if (lastModified) reply.header('last-modified', new Date(lastModified).toUTCString());
    if (ifNoneMatchHits(ifNoneMatch, etag)) {
      void reply.status(304).send();
      return;
    }
    void reply.header('content-type', 'application/json; charset=utf-8').send(body);
  }
}
