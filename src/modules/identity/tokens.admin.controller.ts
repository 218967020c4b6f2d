import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { RequireRole } from '../../core/auth/require-role.decorator';
import { ErrorCode } from '../../core/errors/error-code';
import { ObjectIdParam } from '../../core/http/field-rules';
import { ApiErrors, ApiJsonBodyErrors } from '../../core/openapi/api-errors';
import { ReqContext, type RequestContext } from '../../core/http/request-context';
import { ApiTokensService } from './api-tokens.service';
import {
  CreatedTokenDto,
  CreateTokenDto,
  ListTokensQuery,
  TokenListDto,
  toTokenDto,
} from './dto/token.dto';

@ApiTags('admin tokens')
@Controller('admin/v1/tokens')
export class TokensAdminController {
  constructor(private readonly tokens: ApiTokensService) {}

  @Post()
  @RequireRole('admin')
  @ApiOperation({ summary: 'Create an API token; the secret is in this response only' })
  @ApiCreatedResponse({ type: CreatedTokenDto, description: 'Created; `token` is the secret' })
  @ApiJsonBodyErrors()
  async create(
    @Body() dto: CreateTokenDto,
    @ReqContext() ctx: RequestContext,
  ): Promise<CreatedTokenDto> {
    const { token, secret } = await this.tokens.create(
      {
        name: dto.name,
        role: dto.role,
        expiresAt: dto.expiresAt ? new Date(dto.expiresAt) : undefined,
      },
      ctx,
    );
    return { ...toTokenDto(token), token: secret };
  }

  @Get()
  @RequireRole('admin')
  @ApiOperation({ summary: 'List API tokens, newest first (never their secrets)' })
  @ApiOkResponse({ type: TokenListDto, description: 'One page of the list' })
  @ApiErrors(400)
  async list(@Query() query: ListTokensQuery): Promise<TokenListDto> {
    const page = await this.tokens.list(query.limit, query.cursor);
    return { items: page.items.map(toTokenDto), nextCursor: page.nextCursor };
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireRole('admin')
  @ApiOperation({
    summary: 'Revoke an API token (every replica refuses it within API_TOKEN_CACHE_TTL_MS)',
  })
  @ObjectIdParam('id')
  @ApiNoContentResponse({ description: 'Revoked (or already revoked)' })
  @ApiErrors([404, 'No such token', [ErrorCode.TokenNotFound]])
  async revoke(@Param('id') id: string, @ReqContext() ctx: RequestContext): Promise<void> {
    await this.tokens.revoke(id, ctx);
  }
}
