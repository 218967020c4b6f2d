import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequireRole } from '../../core/auth/require-role.decorator';
import { ErrorCode } from '../../core/errors/error-code';
import { ObjectIdParam } from '../../core/http/field-rules';
import { ApiPositiveIntParam, PatternParam, PositiveIntParam } from '../../core/http/int-param';
import { ApiErrors, ApiJsonBodyErrors } from '../../core/openapi/api-errors';
import { versionEtag } from '../../core/http/preconditions';
import { ReqContext, type RequestContext } from '../../core/http/request-context';
import { IfMatchVersion, VersionedWrite } from '../../core/http/versioned-write';
import { CreatePageDto } from './dto/create-page.dto';
import { SLUG_PATTERN } from './dto/page-content.dto';
import { AdminListQuery } from './dto/list-pages.query';
import {
  PageListResponseDto,
  PageResponseDto,
  PublicPageDto,
  RevisionListDto,
} from './dto/page-response.dto';
import { DiffQuery, PageDiffDto } from './dto/staff.dto';
import { PageFindService } from './page-find.service';
import { PagePreviewService } from './page-preview.service';
import { UpdatePageDto } from './dto/update-page.dto';
import { toPageList, toPageResponse, toRevision } from './page.presenter';
import { pageLinks } from './page-links';
import { PagesService } from './pages.service';
import type { PageRecord } from './schemas/page.types';

const PAGE_NOT_FOUND = [404, 'No page with this id', [ErrorCode.PageNotFound]] as const;
const PAGE: Parameters<typeof ApiOkResponse>[0] = {
  type: PageResponseDto,
  description: 'The page; ETag is its version (send it back as If-Match)',
  links: pageLinks(),
};

function send(reply: FastifyReply, page: PageRecord): PageResponseDto {
  void reply.header('etag', versionEtag(page.version));
  return toPageResponse(page);
}

@ApiTags('admin pages')
@Controller('admin/v1/pages')
export class PagesAdminController {
  constructor(
    private readonly pages: PagesService,
    private readonly finder: PageFindService,
    private readonly previews: PagePreviewService,
  ) {}

  @Post()
  @RequireRole('editor')
  @ApiOperation({ summary: 'Create a draft page' })
  @ApiCreatedResponse({
    ...PAGE,
    description: 'Created: the new draft; ETag is its version, Location its URL',
  })
  @ApiJsonBodyErrors()
  @ApiErrors([409, 'Slug already in use', [ErrorCode.SlugTaken]])
  async create(
    @Body() dto: CreatePageDto,
    @ReqContext() ctx: RequestContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PageResponseDto> {
    const page = await this.pages.create(dto, ctx);
    void reply.header('location', `/admin/v1/pages/${page._id.toHexString()}`);
    return send(reply, page);
  }

  @Get()
  @RequireRole('viewer')
  @ApiOperation({
    summary: 'Find pages of any status: filters, sort, cursor pagination (newest first)',
    description:
      'Filters combine (all must hold): `status`, `slug` (prefix), `q` (word prefixes of the ' +
      "draft's title, agent and sponsor names, case and accents ignored), `sponsor` (exact), " +
      '`termEndsBefore`, `updatedAfter`/`updatedBefore`. Each query is served by an index. ' +
      'Sorted by `updatedAt` (newest first, the default) or `slug` (with `status`/`slug` only). ' +
      'Each row says who last wrote the page and who published the live revision.',
  })
  @ApiOkResponse({ type: PageListResponseDto, description: 'One page of the list' })
  @ApiErrors([
    400,
    'Unknown parameter, a value breaking its rule, sort=slug with another filter than ' +
      'status/slug, or a cursor of another sort or filter',
  ])
  async list(@Query() query: AdminListQuery): Promise<PageListResponseDto> {
    const page = await this.finder.find(query);
    return toPageList(page.items, page.nextCursor);
  }

  @Get(':id')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Get a page with its draft and live snapshot; ETag is its version' })
  @ObjectIdParam('id')
  @ApiOkResponse(PAGE)
  @ApiErrors(PAGE_NOT_FOUND)
  async get(
    @Param('id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PageResponseDto> {
    return send(reply, await this.pages.get(id));
  }

  @Patch(':id')
  // The route is an editor's; what a PATCH changes can raise it (PagesService.update): the slug
  // of a published page (its public URL moves) and a sponsorship term need publisher.
  @RequireRole('editor')
  @ApiOperation({
    summary: 'Update draft fields and/or rename the slug',
    description:
      'Renaming a published page moves its public URL and needs the publisher role (an editor ' +
      'gets 403): the old slug becomes a redirect (`301` to the new one, listed in ' +
      '`redirectsFrom`) while the page is published. A page that is not published is renamed by ' +
      'an editor, with no redirect. A slug is free only if no other page holds it, as its ' +
      'current slug or as a redirect (409 SLUG_TAKEN; remove the redirect to free it). Setting ' +
      'or removing `sponsorship` needs publisher too.',
  })
  @VersionedWrite()
  @ObjectIdParam('id')
  @ApiOkResponse(PAGE)
  @ApiJsonBodyErrors()
  @ApiErrors(
    [
      403,
      'A publisher’s change: the slug of a published page, or a sponsorship term',
      [ErrorCode.Forbidden],
    ],
    [409, 'Slug already in use, or a redirect of another page', [ErrorCode.SlugTaken]],
  )
  async update(
    @Param('id') id: string,
    @IfMatchVersion() version: number,
    @Body() dto: UpdatePageDto,
    @ReqContext() ctx: RequestContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PageResponseDto> {
    return send(reply, await this.pages.update(id, version, dto, ctx));
  }

  @Delete(':id')
  @RequireRole('admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a page that is not published' })
  @VersionedWrite()
  @ObjectIdParam('id')
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors([409, 'Page is published', [ErrorCode.InvalidState]])
  async remove(
    @Param('id') id: string,
    @IfMatchVersion() version: number,
    @ReqContext() ctx: RequestContext,
  ): Promise<void> {
    await this.pages.remove(id, version, ctx);
  }

  @Post(':id/publish')
  @RequireRole('publisher')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Publish the draft: new revision, new live snapshot, CDN paths recorded',
  })
  @VersionedWrite()
  @ObjectIdParam('id')
  @ApiOkResponse(PAGE)
  async publish(
    @Param('id') id: string,
    @IfMatchVersion() version: number,
    @ReqContext() ctx: RequestContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PageResponseDto> {
    return send(reply, await this.pages.publish(id, version, ctx));
  }

  @Post(':id/unpublish')
  @RequireRole('publisher')
  @HttpCode(200)
  @ApiOperation({ summary: 'Take the page offline (back to draft)' })
  @VersionedWrite()
  @ObjectIdParam('id')
  @ApiOkResponse(PAGE)
  @ApiErrors([409, 'Page is not published', [ErrorCode.InvalidState]])
  async unpublish(
    @Param('id') id: string,
    @IfMatchVersion() version: number,
    @ReqContext() ctx: RequestContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PageResponseDto> {
    return send(reply, await this.pages.unpublish(id, version, ctx));
  }

  @Post(':id/archive')
  @RequireRole('publisher')
  @HttpCode(200)
  @ApiOperation({ summary: 'Archive the page (offline; kept with its revisions)' })
  @VersionedWrite()
  @ObjectIdParam('id')
  @ApiOkResponse(PAGE)
  @ApiErrors([409, 'Already archived', [ErrorCode.InvalidState]])
  async archive(
    @Param('id') id: string,
    @IfMatchVersion() version: number,
    @ReqContext() ctx: RequestContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PageResponseDto> {
    return send(reply, await this.pages.archive(id, version, ctx));
  }

  @Delete(':id/redirects/:slug')
  @RequireRole('publisher')
  @ApiOperation({
    summary: 'Remove the redirect from a former slug (it answers 404 and is free for any page)',
  })
  @VersionedWrite()
  @ObjectIdParam('id')
  @ApiParam({ name: 'slug', schema: { type: 'string', pattern: SLUG_PATTERN.source } })
  @ApiOkResponse(PAGE)
  @ApiErrors([
    404,
    'No page with this id, or it has no redirect from this slug',
    [ErrorCode.PageNotFound, ErrorCode.NotFound],
  ])
  async removeRedirect(
    @Param('id') id: string,
    @PatternParam('slug', SLUG_PATTERN) slug: string,
    @IfMatchVersion() version: number,
    @ReqContext() ctx: RequestContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PageResponseDto> {
    return send(reply, await this.pages.removeRedirect(id, slug, version, ctx));
  }

  @Get(':id/revisions')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Published revisions, newest first' })
  @ObjectIdParam('id')
  @ApiOkResponse({ type: RevisionListDto, description: 'Published revisions, newest first' })
  @ApiErrors(PAGE_NOT_FOUND)
  async revisions(@Param('id') id: string): Promise<RevisionListDto> {
    return { items: (await this.pages.revisions(id)).map(toRevision) };
  }

  @Post(':id/revisions/:revision/restore')
  @RequireRole('publisher')
  @HttpCode(200)
  @ApiOperation({ summary: 'Make a published revision the new draft (publish to make it live)' })
  @VersionedWrite()
  @ObjectIdParam('id')
  @ApiPositiveIntParam('revision')
  @ApiOkResponse(PAGE)
  @ApiErrors([
    404,
    'No page with this id, or it has no such revision',
    [ErrorCode.PageNotFound, ErrorCode.RevisionNotFound],
  ])
  async restore(
    @Param('id') id: string,
    @PositiveIntParam('revision') revision: number,
    @IfMatchVersion() version: number,
    @ReqContext() ctx: RequestContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PageResponseDto> {
    return send(reply, await this.pages.restore(id, revision, version, ctx));
  }

  @Get(':id/preview')
  @RequireRole('viewer')
  @ApiOperation({
    summary: 'The draft as the public API would serve it once published (never cached)',
    description:
      'Built by the same code as the live body: equal to what GET /v1/pages/{slug} answers ' +
      'after a publish, field for field, except what only publishing decides (`revision`: the ' +
      'one publishing would assign, `publishedAt` and `updatedAt`: now). Cache-Control: ' +
      'no-store; nothing reaches the public cache or the CDN. The occurrences of its schedule: ' +
      'GET /admin/v1/pages/{id}/preview/schedule.',
  })
  @ObjectIdParam('id')
  @ApiOkResponse({ type: PublicPageDto, description: 'The public representation of the draft' })
  @ApiErrors(PAGE_NOT_FOUND)
  async preview(@Param('id') id: string, @Res() reply: FastifyReply): Promise<void> {
    const { body } = await this.previews.preview(id);
    void reply
      .header('cache-control', 'no-store')
      .type('application/json; charset=utf-8')
      .send(body);
  }

  @Get(':id/diff')
  @RequireRole('viewer')
  @ApiOperation({
    summary: 'Field-level changes between two versions: a revision, the live page, the draft',
    description:
      '`from` and `to` are each `live`, `draft` or a revision number (defaults: from live to ' +
      'draft). Compared in the public shape, without revision and publication times; events ' +
      'by id, sections by index. A side with nothing (`live` of a page that is not published) ' +
      'makes every field an `add` (or a `remove`).',
  })
  @ObjectIdParam('id')
  @ApiOkResponse({ type: PageDiffDto, description: 'The changes, ordered by path' })
  @ApiErrors(400, [
    404,
    'No page with this id, or it has no such revision',
    [ErrorCode.PageNotFound, ErrorCode.RevisionNotFound],
  ])
  async diff(@Param('id') id: string, @Query() query: DiffQuery): Promise<PageDiffDto> {
    return this.previews.diff(id, query.from, query.to);
  }
}
