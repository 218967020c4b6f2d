import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPreconditionFailedResponse,
  ApiTags,
} from '@nestjs/swagger';
import { RequireRole } from '../../core/auth/require-role.decorator';
import { ErrorResponseDto } from '../../core/errors/error-response.dto';
import { ReqContext, type RequestContext } from '../../core/http/request-context';
import {
  CreateActionDto,
  ListActionsQuery,
  PageActionDto,
  PageActionListDto,
} from './dto/page-action.dto';
import { toActionResponse } from './page-action.presenter';
import { PageActionsService } from './page-actions.service';

@ApiTags('admin scheduled actions')
@Controller('admin/v1')
export class PageActionsAdminController {
  constructor(private readonly actions: PageActionsService) {}

  @Post('pages/:id/actions')
  @RequireRole('publisher')
  @ApiOperation({
    summary: 'Schedule a publish (of an approved draft version), unpublish or archive of the page',
  })
  @ApiCreatedResponse({ type: PageActionDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'In the past, > 2 years ahead' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Another action at that instant' })
  @ApiPreconditionFailedResponse({ type: ErrorResponseDto, description: 'Draft moved on' })
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
  @ApiOkResponse({ type: PageActionListDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
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
  @ApiOkResponse({ type: PageActionListDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  async listUpcoming(@Query() query: ListActionsQuery): Promise<PageActionListDto> {
    const page = await this.actions.listUpcoming(query);
    return { items: page.items.map(toActionResponse), nextCursor: page.nextCursor };
  }

  @Get('page-actions/:actionId')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'One scheduled action with its outcome' })
  @ApiOkResponse({ type: PageActionDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async get(@Param('actionId') actionId: string): Promise<PageActionDto> {
    return toActionResponse(await this.actions.get(actionId));
  }

  @Post('page-actions/:actionId/cancel')
  @RequireRole('publisher')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a scheduled action (not one already running or finished)' })
  @ApiOkResponse({ type: PageActionDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Running or finished' })
  async cancel(
    @Param('actionId') actionId: string,
    @ReqContext() ctx: RequestContext,
  ): Promise<PageActionDto> {
    return toActionResponse(await this.actions.cancel(actionId, ctx));
  }
}
