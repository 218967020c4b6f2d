import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequireRole } from '../../core/auth/require-role.decorator';
import { ErrorCode } from '../../core/errors/error-code';
import { ApiErrors, ApiJsonBodyErrors, type ErrorEntry } from '../../core/openapi/api-errors';
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
const NOT_FOUND: ErrorEntry = [404, 'No such invalidation', [ErrorCode.InvalidationNotFound]];

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
  @ApiAcceptedResponse({
    type: InvalidationResponseDto,
    description: 'Recorded; Location is its URL, to poll',
  })
  @ApiJsonBodyErrors()
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
  @ApiOkResponse({ type: InvalidationListDto, description: 'One page of the list' })
  @ApiErrors(400)
  async list(@Query() query: ListInvalidationsQuery): Promise<InvalidationListDto> {
    const page = await this.invalidations.list(query.status, query.limit, query.cursor);
    return { items: page.items.map(toInvalidationResponse), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'One invalidation: status, attempts, last error, CloudFront id' })
  @ApiOkResponse({ type: InvalidationResponseDto, description: 'The invalidation' })
  @ApiErrors(NOT_FOUND)
  async get(@Param('id') id: string): Promise<InvalidationResponseDto> {
    return toInvalidationResponse(await this.invalidations.get(id));
  }

  @Post(':id/retry')
  @RequireRole('publisher')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a failed or skipped invalidation again' })
  @ApiAcceptedResponse({ type: InvalidationResponseDto, description: 'Queued to be sent again' })
  @ApiErrors(NOT_FOUND, [409, 'Not failed or skipped', [ErrorCode.InvalidState]])
  async retry(
    @Param('id') id: string,
    @ReqContext() ctx: RequestContext,
  ): Promise<InvalidationResponseDto> {
    return toInvalidationResponse(await this.invalidations.retry(id, ctx));
  }
}
