import { Controller, Get, Headers, Param, Query, Req, Res } from '@nestjs/common';
import {
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '../../core/config/app-config';
import { DomainError } from '../../core/errors/domain.error';
import { ErrorCode } from '../../core/errors/error-code';
import { listProblems } from '../../core/errors/problem-list';
import { ApiErrors } from '../../core/openapi/api-errors';
import { SLUG_PATTERN } from '../pages/dto/page-content.dto';
import { assertPossibleSlug, MOVED_PERMANENTLY, publicPagePath } from '../pages/public-paths';
import { PublicResponder } from '../../core/http/fast-path/public-responder';
import { publicCacheHeaders } from '../../core/http/cache-headers';
import { ifNoneMatchHits } from '../../core/http/preconditions';
import { OccurrencesQuery, OccurrencesResponseDto } from './dto/occurrences.dto';
import { canonicalWindowQuery } from './schedule-window';
import { type CachedRepresentation, SchedulesService } from './schedules.service';

/** The raw (still percent-encoded) query string of a request. */
function rawQuery(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? '' : url.slice(q + 1);
}

/**
 * The canonical window's URL: a path built from the route and the slug (which matched
 * SLUG_PATTERN), never from the request target, which may be in absolute form
 * (`GET http://evil.example/v1/...`) and would make this cacheable 301 an open redirect.
 */
function windowLocation(slug: string, canonicalQuery: string): string {
  const path = publicPagePath(slug, '/schedule');
  return canonicalQuery ? `${path}?${canonicalQuery}` : path;
}

/** Public, cacheable reads of a live page's schedule (served through CloudFront). */
@ApiTags('public schedules')
@ApiParam({ name: 'slug', schema: { type: 'string', pattern: SLUG_PATTERN.source } })
@ApiHeader({ name: 'If-None-Match', required: false, description: 'ETag of a copy held' })
@ApiResponse({ status: 304, description: 'Not modified: If-None-Match matches the ETag' })
@ApiErrors([404, 'Unknown or unpublished slug', [ErrorCode.PageNotFound]])
@Controller('v1/pages/:slug')
export class SchedulesController {
  private readonly cache: AppConfig['cache'];

  constructor(
    private readonly schedules: SchedulesService,
    private readonly responder: PublicResponder,
    config: AppConfig,
  ) {
    this.cache = config.cache;
  }

  @Get('schedule')
  @ApiOperation({
    summary:
      'Occurrences in a window (default: this hour to +90 days; at most 366 days), sorted by ' +
      'start; exceptions skipped, cancelled occurrences marked. ETag, 304 on If-None-Match. ' +
      'A window not in its canonical spelling (date-times on whole hours, `from` rounded down ' +
      'and `to` up, offsets as Z, `from` before `to`) is redirected (301) to it, so the CDN ' +
      'caches one copy per window. The answer is cut (`truncated`) by the occurrence caps and ' +
      'by a per-request work budget.',
  })
  @ApiOkResponse({ type: OccurrencesResponseDto, description: 'Occurrences in the window' })
  @ApiResponse({
    ...MOVED_PERMANENTLY('/v1/pages/{current-slug}/schedule?{canonical window}'),
    description:
      'Redirect (Location, a path): to the canonical spelling of the window, or, for a former ' +
      'slug of a published page, to the same canonical window under the current slug. ' +
      'Cacheable (public Cache-Control); no body.',
  })
  @ApiErrors([400, 'Bad window: malformed bound, to not after from, or longer than 366 days'])
  async occurrences(
    @Param('slug') slug: string,
    @Query() query: OccurrencesQuery,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    // A slug that cannot exist is a 404 before the window is looked at: no redirect to a
    // canonical URL of a page that cannot be there.
    assertPossibleSlug(slug);
    // Before any read: a redirect costs nothing, and CloudFront then caches one variant.
    const canonical = canonicalWindowQuery(query);
    if (rawQuery(request.url) !== canonical) {
      void reply
        .status(301)
        .header('cache-control', publicCacheHeaders(this.cache, null).cacheControl)
        .header('location', windowLocation(slug, canonical))
        .send();
      return;
    }
    const representation = await this.schedules.occurrences(slug, query);
    if ('movedTo' in representation) {
      // The window is canonical here (checked above): it goes with the page to its new slug.
      const location = windowLocation(representation.movedTo, canonical);
      return this.responder.redirect(reply, location, representation.notAfter);
    }
    this.send(reply, representation, 'application/json; charset=utf-8', ifNoneMatch);
  }

  @Get('schedule.ics')
  @ApiOperation({
    summary:
      'The schedule as an RFC 5545 iCalendar feed to subscribe to (RRULE/EXDATE, cancelled ' +
      'occurrences as RECURRENCE-ID overrides, VTIMEZONE). ETag, 304 on If-None-Match.',
  })
  @ApiOkResponse({
    description: 'The iCalendar feed (errors are JSON)',
    content: { 'text/calendar': { schema: { type: 'string' } } },
  })
  @ApiResponse(MOVED_PERMANENTLY('/v1/pages/{current-slug}/schedule.ics'))
  @ApiErrors([400, 'Any query parameter: the feed takes none'])
  async feed(
    @Param('slug') slug: string,
    @Query() query: Record<string, unknown>,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    // The feed takes no parameters: refused like unknown ones on the JSON endpoint, so that
    // `?r=N` cannot make every request a cache miss.
    const unknown = Object.keys(query);
    if (unknown.length > 0)
      throw new DomainError(
        ErrorCode.ValidationFailed,
        listProblems(unknown.map((k) => `property ${k} should not exist`)),
      );
    const representation = await this.schedules.feed(slug);
    if ('movedTo' in representation) {
      const location = publicPagePath(representation.movedTo, '/schedule.ics');
      return this.responder.redirect(reply, location, representation.notAfter);
    }
    void reply.header('content-disposition', `inline; filename="${slug}.ics"`);
    this.send(reply, representation, 'text/calendar; charset=utf-8', ifNoneMatch);
  }

  private send(
    reply: FastifyReply,
    representation: CachedRepresentation,
    contentType: string,
    ifNoneMatch: string | undefined,
  ): void {
    const cache = publicCacheHeaders(this.cache, representation.notAfter);
    if (cache.expires) reply.header('expires', cache.expires);
    reply
      .header('cache-control', cache.cacheControl)
      .header('etag', representation.etag)
      .header('last-modified', new Date(representation.lastModified).toUTCString());
    if (ifNoneMatchHits(ifNoneMatch, representation.etag)) {
      void reply.status(304).send();
      return;
    }
    void reply.header('content-type', contentType).send(representation.render());
  }
}
