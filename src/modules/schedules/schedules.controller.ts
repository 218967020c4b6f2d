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
import { SLUG_PATTERN } from '../pages/dto/page-content.dto';
import { publicCacheControl } from '../../core/http/cache-headers';
import { ifNoneMatchHits } from '../../core/http/preconditions';
import { OccurrencesQuery, OccurrencesResponseDto } from './dto/occurrences.dto';
import { type CachedRepresentation, SchedulesService } from './schedules.service';

/** Public, cacheable reads of a live page's schedule (served through CloudFront). */
@ApiTags('public schedules')
@ApiParam({ name: 'slug', schema: { type: 'string', pattern: SLUG_PATTERN.source } })
@ApiHeader({ name: 'If-None-Match', required: false, description: 'ETag of a copy held' })
@ApiResponse({ status: 304, description: 'Not modified: If-None-Match matches the ETag' })
@ApiErrors([404, 'Unknown or unpublished slug', [ErrorCode.PageNotFound]])
@Controller('v1/pages/:slug')
export class SchedulesController {
  private readonly cacheControl: string;

  constructor(
    private readonly schedules: SchedulesService,
    config: AppConfig,
  ) {
    this.cacheControl = publicCacheControl(config.cache);
  }

  @Get('schedule')
  @ApiOperation({
    summary:
      'Occurrences in a window (default: this hour to +90 days; at most 366 days), sorted by ' +
      'start; exceptions skipped, cancelled occurrences marked. ETag, 304 on If-None-Match.',
  })
  @ApiOkResponse({ type: OccurrencesResponseDto, description: 'Occurrences in the window' })
  @ApiErrors([400, 'Bad window: malformed bound, to not after from, or longer than 366 days'])
  async occurrences(
    @Param('slug') slug: string,
    @Query() query: OccurrencesQuery,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const representation = await this.schedules.occurrences(slug, query);
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
  async feed(
    @Param('slug') slug: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const representation = await this.schedules.feed(slug);
    void reply.header('content-disposition', `inline; filename="${slug}.ics"`);
    this.send(reply, representation, 'text/calendar; charset=utf-8', ifNoneMatch);
  }

  private send(
    reply: FastifyReply,
    representation: CachedRepresentation,
    contentType: string,
    ifNoneMatch: string | undefined,
  ): void {
    reply
      .header('cache-control', this.cacheControl)
      .header('etag', representation.etag)
      .header('last-modified', new Date(representation.lastModified).toUTCString());
    if (ifNoneMatchHits(ifNoneMatch, representation.etag)) {
      void reply.status(304).send();
      return;
    }
    void reply.header('content-type', contentType).send(representation.render());
  }
}
