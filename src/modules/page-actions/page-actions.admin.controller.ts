import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireRole } from '../../core/auth/require-role.decorator';
import { ErrorCode } from '../../core/errors/error-code';
import { ObjectIdParam } from '../../core/http/field-rules';
import { ReqContext, type RequestContext } from '../../core/http/request-context';
import { ApiErrors, ApiJsonBodyErrors, type ErrorEntry } from '../../core/openapi/api-errors';
import {
  CreateActionDto,
  ListActionsQuery,
  PageActionDto,
  PageActionListDto,
} from './dto/page-action.dto';
import { toActionResponse } from './page-action.presenter';
import { PageActionsService } from './page-actions.service';

const PAGE_NOT_FOUND: ErrorEntry = [404, 'No page with this id', [ErrorCode.PageNotFound]];
const ACTION_NOT_FOUND: ErrorEntry = [404, 'No such scheduled action', [ErrorCode.ActionNotFound]];
const BAD_WINDOW: ErrorEntry = [400, 'Bad `from`/`to` or cursor, or `to` not after `from`'];

@ApiTags('admin scheduled actions')
@Controller('admin/v1')
export class PageActionsAdminController {
  constructor(private readonly actions: PageActionsService) {}

  @Post('pages/:id/actions')
  @RequireRole('publisher')
  @ApiOperation({
    summary: 'Schedule a publish (of an approved draft version), unpublish or archive of the page',
    description:
      '`at` must lie ahead (at most 2 years); a publish names the approved `version`. One ' +
      'action per page and instant.',
  })
  @ObjectIdParam('id')
  @ApiBody({
    type: CreateActionDto,
    examples: {
      unpublish: {
        summary: 'Take the page offline at a time',
        value: { kind: 'unpublish', at: '2028-04-01T00:00:00-05:00' },
      },
      publish: {
        summary: 'Publish the draft as approved at version 4 (wall-clock time in a zone)',
        value: { kind: 'publish', at: '2028-03-01T09:00', timezone: 'America/Chicago', version: 4 },
      },
    },
  })
  @ApiCreatedResponse({ type: PageActionDto, description: 'Scheduled' })
  @ApiJsonBodyErrors()
  @ApiErrors(
    PAGE_NOT_FOUND,
    [409, 'The page already has an action at that instant', [ErrorCode.Conflict]],
    [412, 'The draft is no longer at the approved version', [ErrorCode.VersionMismatch]],
  )
  async create(
    @Param('id') id: string,
    @Body() dto: CreateActionDto,
    @ReqContext() ctx: RequestContext,
  ): Promise<PageActionDto> {
    return toActionResponse(await this.actions.create(id, dto, ctx));
  }

  @Get('pages/:id/actions')
  @RequireRole('viewer')
  @ApiOperation({ summary: "The page's scheduled actions (any status), in time order" })
  @ObjectIdParam('id')
  @ApiOkResponse({ type: PageActionListDto, description: 'One page of the list' })
  @ApiErrors(BAD_WINDOW, PAGE_NOT_FOUND)
  async listForPage(
    @Param('id') id: string,
    @Query() query: ListActionsQuery,
  ): Promise<PageActionListDto> {
    const page = await this.actions.listForPage(id, query);
    return { items: page.items.map(toActionResponse), nextCursor: page.nextCursor };
  }

  @Get('page-actions')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Upcoming (not yet run) actions of all pages, in time order' })
  @ApiOkResponse({ type: PageActionListDto, description: 'One page of the list' })
  @ApiErrors(BAD_WINDOW)
  async listUpcoming(@Query() query: ListActionsQuery): Promise<PageActionListDto> {
    const page = await this.actions.listUpcoming(query);
    return { items: page.items.map(toActionResponse), nextCursor: page.nextCursor };
  }

  @Get('page-actions/:actionId')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'One scheduled action with its outcome' })
  @ObjectIdParam('actionId')
  @ApiOkResponse({ type: PageActionDto, description: 'The action' })
  @ApiErrors(ACTION_NOT_FOUND)
  async get(@Param('actionId') actionId: string): Promise<PageActionDto> {
    return toActionResponse(await this.actions.get(actionId));
  }

  @Post('page-actions/:actionId/cancel')
  @RequireRole('publisher')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a scheduled action (not one already running or finished)' })
  @ObjectIdParam('actionId')
  @ApiOkResponse({ type: PageActionDto, description: 'Cancelled' })
  @ApiErrors(ACTION_NOT_FOUND, [409, 'Running or finished', [ErrorCode.InvalidState]])
  async cancel(
    @Param('actionId') actionId: string,
    @ReqContext() ctx: RequestContext,
  ): Promise<PageActionDto> {
    return toActionResponse(await this.actions.cancel(actionId, ctx));
  }
}
