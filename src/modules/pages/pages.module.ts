import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { AuditModule } from '../audit/audit.module';
import { PageAuditOutbox } from './page-audit-outbox';
import { PageFindService } from './page-find.service';
import { PagePreviewService } from './page-preview.service';
import { PAGE_LOCK_MODEL, PageLock, PageLockSchema } from './page-lock';
import { PageOutbox } from './page-outbox';
import { PagesAdminController } from './pages.admin.controller';
import { PagesController } from './pages.controller';
import { PagesRepository } from './pages.repository';
import { PagesService } from './pages.service';
import { PublicPagesService } from './public-read/public-pages.service';
import { PublicReadFastPaths } from './public-read/public-read.fast-path';
import { SponsorshipTerms } from './sponsorship-terms';
import {
  PAGE_MODEL,
  PAGE_REVISION_MODEL,
  PageRevisionSchema,
  PageSchema,
} from './schemas/page.schema';

/**
 * The only owner of the page document (`pages`, `page_revisions`, `page_locks`). Other modules
 * reach pages through `PagesService` (typed intents: publish, changeSchedule, ...), their public
 * reads through `PublicPagesService`, the CDN
 * outbox through `PageOutbox` and sponsorship terms through `SponsorshipTerms`; the models and
 * the lock stay private.
 */
@Module({
  imports: [
    AuditModule,
    MongooseModule.forFeature([
      { name: PAGE_MODEL, schema: PageSchema },
      { name: PAGE_REVISION_MODEL, schema: PageRevisionSchema },
      { name: PAGE_LOCK_MODEL, schema: PageLockSchema },
    ]),
  ],
  controllers: [PagesController, PagesAdminController],
  providers: [
    PagesRepository,
    PagesService,
    PublicPagesService,
    PublicReadFastPaths,
    PageLock,
    PageOutbox,
    PageAuditOutbox,
    SponsorshipTerms,
    PageFindService,
    PagePreviewService,
  ],
  exports: [PagesService, PublicPagesService, PageOutbox, SponsorshipTerms],
})
export class PagesModule {}
