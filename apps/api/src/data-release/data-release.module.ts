import { Module } from '@nestjs/common';
import { DocumentsModule } from '../documents/documents.module';
import { ExchangeModule } from '../exchange/exchange.module';
import { TasksModule } from '../tasks/tasks.module';
import { DataReleaseController } from './data-release.controller';
import { DataReleaseDemo } from './data-release.demo';
import { DataReleaseRepository } from './data-release.repository';
import { DataReleaseService } from './data-release.service';
import { OutsideRequestsService } from './outside-requests.service';

@Module({
  imports: [TasksModule, DocumentsModule, ExchangeModule],
  controllers: [DataReleaseController],
  providers: [DataReleaseRepository, DataReleaseService, OutsideRequestsService, DataReleaseDemo],
  exports: [DataReleaseService, OutsideRequestsService],
})
export class DataReleaseModule {}
