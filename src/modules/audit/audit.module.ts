import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { AuditAdminController } from './audit.admin.controller';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';
import { AUDIT_EVENT_MODEL, AuditEventSchema } from './schemas/audit-event.schema';

/**
 * Owns `audit_events`. Writers (pages, identity, cache-invalidation) hand entries to
 * `AuditService`; the ones that describe a document change ride in that document first.
 */
@Module({
  imports: [MongooseModule.forFeature([{ name: AUDIT_EVENT_MODEL, schema: AuditEventSchema }])],
  controllers: [AuditAdminController],
  providers: [AuditRepository, AuditService],
  exports: [AuditService],
})
export class AuditModule {}
