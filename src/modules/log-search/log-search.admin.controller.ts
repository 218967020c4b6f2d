import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireRole } from '../../core/auth/require-role.decorator';
import { ErrorCode } from '../../core/errors/error-code';
import { ApiErrors, type ErrorEntry } from '../../core/openapi/api-errors';
import { LogHistogramQuery, LogSearchQuery } from './dto/log-search.query';
import { LogHistogramResponseDto, LogSearchResponseDto } from './dto/log-search-response.dto';
import { LogSearchService } from './log-search.service';

const UNAVAILABLE: ErrorEntry = [
  503,
  'OpenSearch is unreachable or not configured, or the service is overloaded or shutting down',
  [ErrorCode.LogSearchUnavailable, ErrorCode.DatabaseUnavailable, ErrorCode.Overloaded],
];

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
  @ApiOkResponse({ type: LogSearchResponseDto, description: 'One page of matching records' })
  @ApiErrors([400, 'Invalid filter or cursor, or a time range over 31 days'], UNAVAILABLE)
  search(@Query() query: LogSearchQuery): Promise<LogSearchResponseDto> {
    return this.logs.search(query);
  }

  @Get('histogram')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Count log records per time interval and level' })
  @ApiOkResponse({ type: LogHistogramResponseDto, description: 'Counts per bucket and level' })
  @ApiErrors([400, 'Invalid filter or interval, or a time range over 31 days'], UNAVAILABLE)
  histogram(@Query() query: LogHistogramQuery): Promise<LogHistogramResponseDto> {
    return this.logs.histogram(query);
  }
}
