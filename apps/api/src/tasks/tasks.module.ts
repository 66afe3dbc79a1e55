import { Module } from '@nestjs/common';
import { SubstitutesController } from './substitutes.controller';
import { SubstitutesService } from './substitutes.service';
import { TasksController } from './tasks.controller';
import { TasksService } from './tasks.service';
import { UnownedTasksController } from './unowned-tasks.controller';
import { UnownedTasksService } from './unowned-tasks.service';

@Module({
  controllers: [TasksController, SubstitutesController, UnownedTasksController],
  providers: [TasksService, SubstitutesService, UnownedTasksService],
  exports: [TasksService, SubstitutesService],
})
export class TasksModule {}
