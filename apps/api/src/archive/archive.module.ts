import { Module } from '@nestjs/common';
import { ArchiveController, WorkerArchiveController } from './archive.controller';
import { ArchiveService } from './archive.service';
import { FixityScheduler } from './fixity.scheduler';

@Module({
  controllers: [ArchiveController, WorkerArchiveController],
  providers: [ArchiveService, FixityScheduler],
  exports: [ArchiveService],
})
export class ArchiveModule {}
