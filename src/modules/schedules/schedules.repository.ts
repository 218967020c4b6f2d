import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { PAGE_MODEL } from '../pages/schemas/page.schema';
import type { PageRecord } from '../pages/schemas/page.types';
import type { Schedule } from './schemas/schedule.types';

/** What the public schedule endpoints read of a published page: nothing of its draft. */
export interface LiveScheduleRecord {
  slug: string;
  live: {
    content: { title: string; schedule: Schedule };
    etag: string;
    updatedAt: Date;
  };
}

/**
 * Public reads of the schedule embedded in the page document. Admin writes go through
 * PagesService (one version-checked update path for the whole document).
 */
@Injectable()
export class SchedulesRepository {
  constructor(@InjectModel(PAGE_MODEL) private readonly pages: Model<PageRecord>) {}

  async findLiveSchedule(slug: string): Promise<LiveScheduleRecord | null> {
    return this.pages
      .findOne(
        { slug, status: 'published' },
        {
          _id: 0,
          slug: 1,
          'live.content.title': 1,
          'live.content.schedule': 1,
          'live.etag': 1,
          'live.updatedAt': 1,
        },
      )
      .lean<LiveScheduleRecord>()
      .exec();
  }
}
