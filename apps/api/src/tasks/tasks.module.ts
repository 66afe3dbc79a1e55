import { Module } from '@nestjs/common';
import { SubstitutesController } from './substitutes.controller';
import { SubstitutesService } from './substitutes.service';
import { TasksController } from './tasks.controller';
import { TasksService } from './tasks.service';

@Module({
  controllers: [TasksController, SubstitutesController],
  providers: [TasksService, SubstitutesService],
  exports: [TasksService, SubstitutesService],
})
export class TasksModule {}
