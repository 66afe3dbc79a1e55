import { Module } from '@nestjs/common';
import { SupervisionModule } from '../supervision/supervision.module';
import { AnnouncementsController } from './announcements.controller';
import { AnnouncementsRepository } from './announcements.repository';
import { AnnouncementsService } from './announcements.service';

/** 公告 from 办公厅, with per-person read marks. */
@Module({
  imports: [SupervisionModule],
  controllers: [AnnouncementsController],
  providers: [AnnouncementsService, AnnouncementsRepository],
  exports: [AnnouncementsService],
})
export class AnnouncementsModule {}
