import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { MongooseModule } from '@nestjs/mongoose';
import { AuditModule } from '../audit/audit.module';
import { AccessGuard } from './access.guard';
import { ApiTokensRepository } from './api-tokens.repository';
import { ApiTokensService } from './api-tokens.service';
import { OidcVerifier } from './oidc.verifier';
import { API_TOKEN_MODEL, ApiTokenSchema } from './schemas/api-token.schema';
import { TokensAdminController } from './tokens.admin.controller';

/**
 * Staff identities: API tokens (`api_tokens`), OIDC bearer JWTs, the bootstrap identity, and the
 * global AccessGuard that applies roles and auth rate limits to every route.
 */
@Module({
  imports: [
    AuditModule,
    MongooseModule.forFeature([{ name: API_TOKEN_MODEL, schema: ApiTokenSchema }]),
  ],
  controllers: [TokensAdminController],
  providers: [
    ApiTokensRepository,
    ApiTokensService,
    OidcVerifier,
    { provide: APP_GUARD, useClass: AccessGuard },
  ],
  exports: [ApiTokensService],
})
export class IdentityModule {}
