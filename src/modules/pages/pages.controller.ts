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
import { ErrorCode } from '../../core/errors/error-code';
import { ApiErrors } from '../../core/openapi/api-errors';
import { PublicResponder } from '../../core/http/fast-path/public-responder';
import { PublicListQuery } from './dto/list-pages.query';
import { SLUG_PATTERN } from './dto/page-content.dto';
import { PublicPageDto, PublicPageListDto } from './dto/page-response.dto';
import { isMoved, PublicPagesService } from './public-read/public-pages.service';
import { MOVED_PERMANENTLY, publicPagePath } from './public-paths';
import { PUBLIC_PAGE_SUBPATH, PUBLIC_PAGES_PATH } from './public-read/public-read.routes';

/** Public, cacheable reads of live pages (served through CloudFront). */
@ApiTags('public pages')
@Controller(PUBLIC_PAGES_PATH)
export class PagesController {
  constructor(
    private readonly pages: PublicPagesService,
    private readonly responder: PublicResponder,
  ) {}

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
    this.responder.send(reply, await this.pages.publicList(query.limit, query.cursor), ifNoneMatch);
  }

  @Get(PUBLIC_PAGE_SUBPATH)
  @ApiOperation({
    summary: 'The live page: strong ETag, Last-Modified, CDN cache headers, 304 on If-None-Match',
  })
  @ApiParam({ name: 'slug', schema: { type: 'string', pattern: SLUG_PATTERN.source } })
  @ApiHeader({ name: 'If-None-Match', required: false, description: 'ETag of a copy held' })
  @ApiOkResponse({ type: PublicPageDto, description: 'The live page; strong ETag, Last-Modified' })
  @ApiResponse({ status: 304, description: 'Not modified: If-None-Match matches the ETag' })
  @ApiResponse(MOVED_PERMANENTLY('/v1/pages/{current-slug}'))
  @ApiErrors([
    404,
    'Unknown slug, or the page (or the page a former slug redirects to) is not published',
    [ErrorCode.PageNotFound],
  ])
  async get(
    @Param('slug') slug: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const hit = await this.pages.publicPage(slug);
    if (isMoved(hit.value))
      this.responder.redirect(reply, publicPagePath(hit.value.movedTo), hit.value.notAfter);
    else this.responder.send(reply, { ...hit, value: hit.value }, ifNoneMatch);
  }
}
