import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequireRole } from '../../core/auth/require-role.decorator';
import { ErrorResponseDto } from '../../core/errors/error-response.dto';
import { ReqContext, type RequestContext } from '../../core/http/request-context';
import { CacheInvalidationService } from './cache-invalidation.service';
import { CreateInvalidationDto } from './dto/create-invalidation.dto';
import {
  InvalidationListDto,
  InvalidationResponseDto,
  toInvalidationResponse,
} from './dto/invalidation-response.dto';
import { ListInvalidationsQuery } from './dto/list-invalidations.query';

const BASE = 'admin/v1/cache/invalidations';

@ApiTags('admin cache')
@Controller(BASE)
export class CacheInvalidationAdminController {
  constructor(private readonly invalidations: CacheInvalidationService) {}

  @Post()
  @RequireRole('publisher')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Invalidate paths in the CDN (recorded now, sent by the worker; poll its status)',
  })
  @ApiAcceptedResponse({ type: InvalidationResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid paths' })
  async create(
    @Body() dto: CreateInvalidationDto,
    @ReqContext() ctx: RequestContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<InvalidationResponseDto> {
    const record = await this.invalidations.create(dto.paths, ctx);
    void reply.header('location', `/${BASE}/${record._id}`);
    return toInvalidationResponse(record);
  }

  @Get()
  @RequireRole('viewer')
  @ApiOperation({ summary: 'List invalidations, newest first (cursor pagination, status filter)' })
  @ApiOkResponse({ type: InvalidationListDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  async list(@Query() query: ListInvalidationsQuery): Promise<InvalidationListDto> {
    const page = await this.invalidations.list(query.status, query.limit, query.cursor);
    return { items: page.items.map(toInvalidationResponse), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'One invalidation: status, attempts, last error, CloudFront id' })
  @ApiOkResponse({ type: InvalidationResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async get(@Param('id') id: string): Promise<InvalidationResponseDto> {
    return toInvalidationResponse(await this.invalidations.get(id));
  }

  @Post(':id/retry')
  @RequireRole('publisher')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a failed or skipped invalidation again' })
  @ApiAcceptedResponse({ type: InvalidationResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Not failed or skipped' })
  async retry(
    @Param('id') id: string,
    @ReqContext() ctx: RequestContext,
  ): Promise<InvalidationResponseDto> {
    return toInvalidationResponse(await this.invalidations.retry(id, ctx));
  }
}
