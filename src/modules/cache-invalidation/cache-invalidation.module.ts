import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { AuditModule } from '../audit/audit.module';
import { PagesModule } from '../pages/pages.module';
import { CacheInvalidationAdminController } from './cache-invalidation.admin.controller';
import { CacheInvalidationRepository } from './cache-invalidation.repository';
import { CacheInvalidationService } from './cache-invalidation.service';
import { CacheInvalidationWorker } from './cache-invalidation.worker';
import { CloudFrontGateway } from './cloudfront.gateway';
import {
  BATCH_MODEL,
  BatchSchema,
  INVALIDATION_MODEL,
  InvalidationSchema,
  TOKEN_MODEL,
  TokenSchema,
} from './schemas/invalidation.schema';

/** Turns every public change (recorded in page outboxes) into CloudFront invalidations. */
@Module({
  imports: [
    AuditModule,
    PagesModule, // PageOutbox: the pages' pending CDN entries
    MongooseModule.forFeature([
      { name: INVALIDATION_MODEL, schema: InvalidationSchema },
      { name: BATCH_MODEL, schema: BatchSchema },
      { name: TOKEN_MODEL, schema: TokenSchema },
    ]),
  ],
  controllers: [CacheInvalidationAdminController],
  providers: [
    CloudFrontGateway,
    CacheInvalidationRepository,
    CacheInvalidationService,
    CacheInvalidationWorker,
  ],
  exports: [CacheInvalidationService],
})
export class CacheInvalidationModule {}
