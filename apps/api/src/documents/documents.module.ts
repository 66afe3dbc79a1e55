import { Module } from '@nestjs/common';
import { TasksModule } from '../tasks/tasks.module';
import { DocumentsController } from './documents.controller';
import { DocumentsService } from './documents.service';
import { DocumentsWorkerController } from './documents.worker.controller';

@Module({
  imports: [TasksModule],
  controllers: [DocumentsController, DocumentsWorkerController],
  providers: [DocumentsService],
  exports: [DocumentsService],
})
export class DocumentsModule {}
