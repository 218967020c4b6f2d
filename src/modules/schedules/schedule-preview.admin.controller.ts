import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequireRole } from '../../core/auth/require-role.decorator';
import { ErrorCode } from '../../core/errors/error-code';
import { ObjectIdParam } from '../../core/http/field-rules';
import { ApiErrors } from '../../core/openapi/api-errors';
import { OccurrencesQuery, OccurrencesResponseDto } from './dto/occurrences.dto';
import { SchedulesService } from './schedules.service';

/** The draft schedule's occurrences in the public shape, before it goes live (never cached). */
@ApiTags('admin pages')
@Controller('admin/v1/pages/:id/preview')
export class SchedulePreviewAdminController {
  constructor(private readonly schedules: SchedulesService) {}

  @Get('schedule')
  @RequireRole('viewer')
  @ApiOperation({
    summary:
      "The draft schedule's occurrences in a window, as the public schedule would serve them",
    description:
      'The same window rules, caps and body as GET /v1/pages/{slug}/schedule once published. ' +
      'Where the public route redirects (301) a window to its canonical spelling, the preview ' +
      'answers the canonical window directly (its `from`/`to` in the body show which). ' +
      'Cache-Control: no-store.',
  })
  @ObjectIdParam('id')
  @ApiOkResponse({ type: OccurrencesResponseDto, description: 'Occurrences in the window' })
  @ApiErrors(
    [400, 'Bad window: malformed bound, to not after from, or longer than 366 days'],
    [404, 'No page with this id', [ErrorCode.PageNotFound]],
  )
  async occurrences(
    @Param('id') id: string,
    @Query() query: OccurrencesQuery,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const body = await this.schedules.previewOccurrences(id, query);
    void reply
      .header('cache-control', 'no-store')
      .type('application/json; charset=utf-8')
      .send(body);
  }
}
