import { Module } from '@nestjs/common';
import { TasksModule } from '../tasks/tasks.module';
import { DocumentsController } from './documents.controller';
import { DocumentsService } from './documents.service';
import { DocumentsWorkerController } from './documents.worker.controller';
import { RevisionStore } from './revisions/revision.store';
import { RevisionsController } from './revisions/revisions.controller';
import { RevisionsService } from './revisions/revisions.service';

@Module({
  imports: [TasksModule],
  controllers: [DocumentsController, DocumentsWorkerController, RevisionsController],
  providers: [DocumentsService, RevisionStore, RevisionsService],
  exports: [DocumentsService],
})
export class DocumentsModule {}
