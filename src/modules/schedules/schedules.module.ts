import { Module } from '@nestjs/common';
import { PagesModule } from '../pages/pages.module';
import { SchedulePreviewAdminController } from './schedule-preview.admin.controller';
import { SchedulesAdminController } from './schedules.admin.controller';
import { SchedulesController } from './schedules.controller';
import { SchedulesService } from './schedules.service';

/**
 * The schedule embedded in each page: the pure editing, expansion and feed logic, admin edits
 * (handed to PagesService.changeSchedule, optionally straight to the live page), public
 * occurrences and the iCalendar feed. It reads and writes pages only through PagesService.
 */
@Module({
  imports: [PagesModule],
  controllers: [SchedulesController, SchedulesAdminController, SchedulePreviewAdminController],
  providers: [SchedulesService],
})
export class SchedulesModule {}
