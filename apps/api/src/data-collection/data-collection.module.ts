import { Module } from '@nestjs/common';
import { DocumentsModule } from '../documents/documents.module';
import { TasksModule } from '../tasks/tasks.module';
import { DataCollectionController } from './data-collection.controller';
import { DataCollectionDemo } from './data-collection.demo';
import { DataCollectionRepository } from './data-collection.repository';
import { DataCollectionScanner } from './data-collection.scanner';
import { DataCollectionService } from './data-collection.service';
import { DataCollectionWorkerController } from './data-collection.worker.controller';
import { SubmissionsService } from './submissions.service';
import { UploadStore } from './upload-store';

/** 基础数据汇交 (seed clause （五）). */
@Module({
  imports: [TasksModule, DocumentsModule],
  controllers: [DataCollectionController, DataCollectionWorkerController],
  providers: [DataCollectionService, SubmissionsService, DataCollectionRepository, DataCollectionScanner, UploadStore, DataCollectionDemo],
  exports: [DataCollectionService, SubmissionsService, DataCollectionScanner],
})
export class DataCollectionModule {}
