import { Module } from '@nestjs/common';
import { TasksModule } from '../tasks/tasks.module';
import { FilingsController } from './filings.controller';
import { FilingsService } from './filings.service';

@Module({
  imports: [TasksModule],
  controllers: [FilingsController],
  providers: [FilingsService],
  exports: [FilingsService],
})
export class FilingsModule {}
