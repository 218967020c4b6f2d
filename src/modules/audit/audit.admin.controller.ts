import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireRole } from '../../core/auth/require-role.decorator';
import { DomainError } from '../../core/errors/domain.error';
import { ErrorCode } from '../../core/errors/error-code';
import { ApiErrors } from '../../core/openapi/api-errors';
import { parseInstant } from '../../core/time/instant';
import { AuditListDto, toAuditEvent } from './dto/audit-response.dto';
import { AuditQuery } from './dto/audit.query';
import { AuditService } from './audit.service';

@ApiTags('admin audit')
@Controller('admin/v1/audit')
export class AuditAdminController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @RequireRole('admin')
  @ApiOperation({
    summary: 'Audit events, newest first (cursor pagination, filters)',
    description: 'Filters combine with AND; `to` must not be before `from`.',
  })
  @ApiOkResponse({ type: AuditListDto, description: 'One page of matching events' })
  @ApiErrors([400, 'Bad filter or cursor, or `to` before `from`'])
  async list(@Query() query: AuditQuery): Promise<AuditListDto> {
    const from = query.from ? parseInstant('from', query.from) : undefined;
    const to = query.to ? parseInstant('to', query.to) : undefined;
    if (from && to && from > to)
      throw new DomainError(ErrorCode.BadRequest, 'from must not be after to');
    const page = await this.audit.list(
      { actor: query.actor, pageId: query.pageId, action: query.action, from, to },
      query.limit,
      query.cursor,
    );
    return { items: page.items.map(toAuditEvent), nextCursor: page.nextCursor };
  }
}
