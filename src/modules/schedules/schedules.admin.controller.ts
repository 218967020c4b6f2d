import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
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
import { LOCAL_DATE_PATTERN, ObjectIdParam } from '../../core/http/field-rules';
import { ApiErrors, ApiJsonBodyErrors, type ErrorEntry } from '../../core/openapi/api-errors';
import { versionEtag } from '../../core/http/preconditions';
import { ReqContext, type RequestContext } from '../../core/http/request-context';
import { IfMatchVersion, VersionedWrite } from '../../core/http/versioned-write';
import { PagesService } from '../pages/pages.service';
import {
  CancellationDto,
  CreateEventDto,
  EventResponseDto,
  LiveQuery,
  ScheduleResponseDto,
  TimezoneDto,
  UpdateEventDto,
} from './dto/event.dto';
import { toEventResponse, toScheduleResponse } from './schedule.presenter';
import { type ScheduleWrite, SchedulesService } from './schedules.service';
import { emptySchedule } from '../pages/schemas/schedule.types';

/** A live schedule change is a publication: `?live=true` needs publisher. */
const LIVE_CHANGE = { query: 'live', role: 'publisher' } as const;

const LIVE_CONFLICT = 'live=true on a page that is not published, or an event not yet live';
const CONFLICT: ErrorEntry = [409, LIVE_CONFLICT, [ErrorCode.InvalidState]];
const NOT_FOUND: ErrorEntry = [
  404,
  'No page with this id, or no such event on it',
  [ErrorCode.PageNotFound, ErrorCode.EventNotFound],
];
const SCHEDULE = {
  type: ScheduleResponseDto,
  description: "The draft schedule; ETag is the page's new version",
};
const EVENT = {
  type: EventResponseDto,
  description: "The event as stored; ETag is the page's new version",
};

function eventOf(reply: FastifyReply, write: ScheduleWrite): EventResponseDto {
  void reply.header('etag', versionEtag(write.page.version));
  if (!write.draft.event) throw new Error('schedule edit returned no event');
  return toEventResponse(write.draft.event);
}

@ApiTags('admin schedules')
@ObjectIdParam('id')
@Controller('admin/v1/pages/:id/schedule')
export class SchedulesAdminController {
  constructor(
    private readonly schedules: SchedulesService,
    private readonly pages: PagesService,
  ) {}

  @Get()
  @RequireRole('viewer')
  @ApiOperation({ summary: "The draft schedule (events as stored); ETag is the page's version" })
  @ApiOkResponse({ ...SCHEDULE, description: "The draft schedule; ETag is the page's version" })
  @ApiErrors([404, 'No page with this id', [ErrorCode.PageNotFound]])
  async get(
    @Param('id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ScheduleResponseDto> {
    const page = await this.pages.get(id);
    void reply.header('etag', versionEtag(page.version));
    return toScheduleResponse(page.draft.schedule ?? emptySchedule());
  }

  @Put('timezone')
  @RequireRole('editor', LIVE_CHANGE)
  @ApiOperation({
    summary: "Set the schedule's IANA time zone (events keep their local wall-clock times)",
  })
  @VersionedWrite()
  @ApiOkResponse(SCHEDULE)
  @ApiJsonBodyErrors()
  @ApiErrors(CONFLICT)
  async setTimezone(
    @Param('id') id: string,
    @IfMatchVersion() version: number,
    @Query() query: LiveQuery,
    @Body() dto: TimezoneDto,
    @ReqContext() ctx: RequestContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ScheduleResponseDto> {
    const write = await this.schedules.setTimezone(
      id,
      version,
      dto.timezone,
      query.live ?? false,
      ctx,
    );
    void reply.header('etag', versionEtag(write.page.version));
    return toScheduleResponse(write.draft.schedule);
  }

  @Post('events')
  @RequireRole('editor', LIVE_CHANGE)
  @ApiOperation({ summary: 'Add an event (201 with its id)' })
  @VersionedWrite()
  @ApiCreatedResponse({ ...EVENT, description: 'Added; Location is its URL' })
  @ApiJsonBodyErrors()
  @ApiErrors(CONFLICT)
  async addEvent(
    @Param('id') id: string,
    @IfMatchVersion() version: number,
    @Query() query: LiveQuery,
    @Body() dto: CreateEventDto,
    @ReqContext() ctx: RequestContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<EventResponseDto> {
    const write = await this.schedules.addEvent(id, version, dto, query.live ?? false, ctx);
    const event = eventOf(reply, write);
    void reply.header('location', `/admin/v1/pages/${id}/schedule/events/${event.id}`);
    return event;
  }

  @Patch('events/:eventId')
  @RequireRole('editor', LIVE_CHANGE)
  @ApiOperation({
    summary: 'Change an event; null removes an optional field. status cancels/restores it whole.',
  })
  @VersionedWrite()
  @ApiOkResponse(EVENT)
  @ApiJsonBodyErrors()
  @ApiErrors(NOT_FOUND, CONFLICT)
  async updateEvent(
    @Param('id') id: string,
    @Param('eventId') eventId: string,
    @IfMatchVersion() version: number,
    @Query() query: LiveQuery,
    @Body() dto: UpdateEventDto,
    @ReqContext() ctx: RequestContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<EventResponseDto> {
    const write = await this.schedules.updateEvent(
      id,
      version,
      eventId,
      dto,
      query.live ?? false,
      ctx,
    );
    return eventOf(reply, write);
  }

  @Delete('events/:eventId')
  @RequireRole('editor', LIVE_CHANGE)
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove an event' })
  @VersionedWrite()
  @ApiNoContentResponse({ description: "Removed; ETag is the page's new version" })
  @ApiErrors(NOT_FOUND, CONFLICT)
  async removeEvent(
    @Param('id') id: string,
    @Param('eventId') eventId: string,
    @IfMatchVersion() version: number,
    @Query() query: LiveQuery,
    @ReqContext() ctx: RequestContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    const write = await this.schedules.removeEvent(id, version, eventId, query.live ?? false, ctx);
    void reply.header('etag', versionEtag(write.page.version));
  }

  @Post('events/:eventId/cancellations')
  @RequireRole('editor', LIVE_CHANGE)
  @ApiOperation({
    summary: 'Cancel one occurrence of a recurring event, named by the local date of its start',
  })
  @VersionedWrite()
  @ApiCreatedResponse({ ...EVENT, description: 'Cancelled; the event with its cancellations' })
  @ApiJsonBodyErrors()
  @ApiErrors([400, 'Invalid request, or no occurrence on that date'], NOT_FOUND, [
    409,
    `The event does not recur, or ${LIVE_CONFLICT}`,
    [ErrorCode.InvalidState],
  ])
  async cancelOccurrence(
    @Param('id') id: string,
    @Param('eventId') eventId: string,
    @IfMatchVersion() version: number,
    @Query() query: LiveQuery,
    @Body() dto: CancellationDto,
    @ReqContext() ctx: RequestContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<EventResponseDto> {
    const write = await this.schedules.cancelOccurrence(
      id,
      version,
      eventId,
      dto.date,
      query.live ?? false,
      ctx,
    );
    return eventOf(reply, write);
  }

  @Delete('events/:eventId/cancellations/:date')
  @RequireRole('editor', LIVE_CHANGE)
  @HttpCode(204)
  @ApiOperation({ summary: 'Restore a cancelled occurrence' })
  @VersionedWrite()
  @ApiParam({
    name: 'date',
    schema: { type: 'string', format: 'date', pattern: LOCAL_DATE_PATTERN.source },
  })
  @ApiNoContentResponse({ description: "Restored; ETag is the page's new version" })
  @ApiErrors(NOT_FOUND, CONFLICT)
  async restoreOccurrence(
    @Param('id') id: string,
    @Param('eventId') eventId: string,
    @Param('date') date: string,
    @IfMatchVersion() version: number,
    @Query() query: LiveQuery,
    @ReqContext() ctx: RequestContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    const write = await this.schedules.restoreOccurrence(
      id,
      version,
      eventId,
      date,
      query.live ?? false,
      ctx,
    );
    void reply.header('etag', versionEtag(write.page.version));
  }
}
