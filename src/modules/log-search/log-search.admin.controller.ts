import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { RequireRole } from '../../core/auth/require-role.decorator';
import { ErrorResponseDto } from '../../core/errors/error-response.dto';
import { LogHistogramQuery, LogSearchQuery } from './dto/log-search.query';
import { LogHistogramResponseDto, LogSearchResponseDto } from './dto/log-search-response.dto';
import { LogSearchService } from './log-search.service';

@ApiTags('admin logs')
@Controller('admin/v1/logs')
export class LogSearchAdminController {
  constructor(private readonly logs: LogSearchService) {}

  @Get()
  @RequireRole('viewer')
  @ApiOperation({
    summary: 'Search the service logs',
    description:
      'Newest first. Filters combine with AND. Follow `nextCursor` for the next page; pages never repeat or skip a record.',
  })
  @ApiOkResponse({ type: LogSearchResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid filter or cursor' })
  @ApiServiceUnavailableResponse({
    type: ErrorResponseDto,
    description: 'OpenSearch is unreachable or not configured (LOG_SEARCH_UNAVAILABLE)',
  })
  search(@Query() query: LogSearchQuery): Promise<LogSearchResponseDto> {
    return this.logs.search(query);
  }

  @Get('histogram')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Count log records per time interval and level' })
  @ApiOkResponse({ type: LogHistogramResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid filter or interval' })
  @ApiServiceUnavailableResponse({
    type: ErrorResponseDto,
    description: 'OpenSearch is unreachable or not configured (LOG_SEARCH_UNAVAILABLE)',
  })
  histogram(@Query() query: LogHistogramQuery): Promise<LogHistogramResponseDto> {
    return this.logs.histogram(query);
  }
}
