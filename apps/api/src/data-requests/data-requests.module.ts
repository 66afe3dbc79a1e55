import { Module } from '@nestjs/common';
import { TasksModule } from '../tasks/tasks.module';
import { DataRequestsController, DatasetsController } from './data-requests.controller';
import { DataRequestsService } from './data-requests.service';

@Module({
  imports: [TasksModule],
  controllers: [DatasetsController, DataRequestsController],
  providers: [DataRequestsService],
  exports: [DataRequestsService],
})
export class DataRequestsModule {}
