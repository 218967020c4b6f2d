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
import { ApiErrors } from '../../core/openapi/api-errors';
import { publicCacheControl } from '../../core/http/cache-headers';
import { contentEtag, ifNoneMatchHits } from '../../core/http/preconditions';
import { PublicListQuery } from './dto/list-pages.query';
import { SLUG_PATTERN } from './dto/page-content.dto';
import { PublicPageDto, PublicPageListDto } from './dto/page-response.dto';
import { toPublicList } from './page.presenter';
import { PagesService } from './pages.service';

/** Public, cacheable reads of live pages (served through CloudFront). */
@ApiTags('public pages')
@Controller('v1/pages')
export class PagesController {
  private readonly cacheControl: string;

  constructor(
    private readonly pages: PagesService,
    config: AppConfig,
  ) {
    this.cacheControl = publicCacheControl(config.cache);
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
    const page = await this.pages.listPublished(query.limit, query.cursor);
    const body = JSON.stringify(toPublicList(page.items, page.nextCursor));
    this.sendCached(reply, body, contentEtag(body), undefined, ifNoneMatch);
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
    const page = await this.pages.findPublic(slug);
    this.sendCached(reply, page.live.body, page.live.etag, page.live.updatedAt, ifNoneMatch);
  }

  private sendCached(
    reply: FastifyReply,
    body: string,
    etag: string,
    lastModified: Date | undefined,
    ifNoneMatch: string | undefined,
  ): void {
    reply.header('cache-control', this.cacheControl).header('etag', etag);
    if (lastModified) reply.header('last-modified', new Date(lastModified).toUTCString());
    if (ifNoneMatchHits(ifNoneMatch, etag)) {
      void reply.status(304).send();
      return;
    }
    void reply.header('content-type', 'application/json; charset=utf-8').send(body);
  }
}
