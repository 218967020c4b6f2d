import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { AdminAuthGuard } from '../../core/auth/admin-auth.guard';
import { PAGE_LOCK_MODEL, PageLock, PageLockSchema } from './page-lock';
import { PagesAdminController } from './pages.admin.controller';
import { PagesController } from './pages.controller';
import { PagesRepository } from './pages.repository';
import { PagesService } from './pages.service';
import {
  PAGE_MODEL,
  PAGE_REVISION_MODEL,
  PageRevisionSchema,
  PageSchema,
} from './schemas/page.schema';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: PAGE_MODEL, schema: PageSchema },
      { name: PAGE_REVISION_MODEL, schema: PageRevisionSchema },
      { name: PAGE_LOCK_MODEL, schema: PageLockSchema },
    ]),
  ],
  controllers: [PagesController, PagesAdminController],
  providers: [PagesRepository, PagesService, PageLock, AdminAuthGuard],
  exports: [PagesService, PagesRepository, PageLock, MongooseModule],
})
export class PagesModule {}
