import { Module } from '@nestjs/common';
import { AdminAuthGuard } from '../../core/auth/admin-auth.guard';
import { PagesModule } from '../pages/pages.module';
import { SchedulesAdminController } from './schedules.admin.controller';
import { SchedulesController } from './schedules.controller';
import { SchedulesRepository } from './schedules.repository';
import { SchedulesService } from './schedules.service';

/**
 * The schedule embedded in each page: admin edits (through PagesService's version-checked
 * commit, optionally straight to the live page), public occurrences and the iCalendar feed.
 */
@Module({
  imports: [PagesModule],
  controllers: [SchedulesController, SchedulesAdminController],
  providers: [SchedulesRepository, SchedulesService, AdminAuthGuard],
})
export class SchedulesModule {}
