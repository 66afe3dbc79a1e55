import { Module } from '@nestjs/common';
import { SealsModule } from '../seals/seals.module';
import { ArchiveTransferService } from './archive-transfer.service';
import { ArchiveController, WorkerArchiveController } from './archive.controller';
import { ArchiveService } from './archive.service';
import { FixityScheduler } from './fixity.scheduler';

@Module({
  // The deployment's CA issues the archive key's certificate (SealsModule does not import the archive).
  imports: [SealsModule],
  controllers: [ArchiveController, WorkerArchiveController],
  providers: [ArchiveService, ArchiveTransferService, FixityScheduler],
  exports: [ArchiveService],
})
export class ArchiveModule {}
