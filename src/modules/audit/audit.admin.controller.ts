import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireRole } from '../../core/auth/require-role.decorator';
import { DomainError } from '../../core/errors/domain.error';
import { ErrorCode } from '../../core/errors/error-code';
import { ErrorResponseDto } from '../../core/errors/error-response.dto';
import { AuditListDto, toAuditEvent } from './dto/audit-response.dto';
import { AuditQuery } from './dto/audit.query';
import { AuditService } from './audit.service';

@ApiTags('admin audit')
@Controller('admin/v1/audit')
export class AuditAdminController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @RequireRole('admin')
  @ApiOperation({ summary: 'Audit events, newest first (cursor pagination, filters)' })
  @ApiOkResponse({ type: AuditListDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Bad filter or cursor' })
  async list(@Query() query: AuditQuery): Promise<AuditListDto> {
    const from = query.from ? new Date(query.from) : undefined;
    const to = query.to ? new Date(query.to) : undefined;
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
