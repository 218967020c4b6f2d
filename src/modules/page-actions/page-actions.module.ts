import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { AuditModule } from '../audit/audit.module';
import { PagesModule } from '../pages/pages.module';
import { PageActionsAdminController } from './page-actions.admin.controller';
import { PageActionsRepository } from './page-actions.repository';
import { PageActionsService } from './page-actions.service';
import { PageActionsWorker } from './page-actions.worker';
import {
  PAGE_ACTION_MODEL,
  PAGE_ACTION_TOKEN_MODEL,
  PageActionSchema,
  PageActionTokenSchema,
} from './schemas/page-action.schema';

/**
 * Scheduled page actions and sponsorship terms: owns `page_actions` and its claim tokens, runs
 * the scheduler, and writes pages only through PagesService intents. It observes term changes
 * through the pages module's SponsorshipTerms port; pages does not know this module.
 */
@Module({
  imports: [
    AuditModule,
    PagesModule,
    MongooseModule.forFeature([
      { name: PAGE_ACTION_MODEL, schema: PageActionSchema },
      { name: PAGE_ACTION_TOKEN_MODEL, schema: PageActionTokenSchema },
    ]),
  ],
  controllers: [PageActionsAdminController],
  providers: [PageActionsRepository, PageActionsService, PageActionsWorker],
})
export class PageActionsModule {}
