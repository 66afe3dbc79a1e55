import { Module } from '@nestjs/common';
import { TasksModule } from '../tasks/tasks.module';
import { DocumentsController } from './documents.controller';
import { DocumentsService } from './documents.service';
import { ItReviewService } from './it-review.service';
import { DocumentsWorkerController } from './documents.worker.controller';
import { ProcessingSheets } from './processing-sheets';
import { ReceiptsService } from './receipts.service';
import { ProcessingSheetsController } from './processing-sheets.controller';
import { RevisionStore } from './revisions/revision.store';
import { RevisionsController } from './revisions/revisions.controller';
import { RevisionsService } from './revisions/revisions.service';

@Module({
  imports: [TasksModule],
  controllers: [DocumentsController, DocumentsWorkerController, RevisionsController, ProcessingSheetsController],
  providers: [DocumentsService, ReceiptsService, ItReviewService, RevisionStore, RevisionsService, ProcessingSheets],
  exports: [DocumentsService, ReceiptsService],
})
export class DocumentsModule {}
