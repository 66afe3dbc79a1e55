import { Module } from '@nestjs/common';
import { SupervisionModule } from '../supervision/supervision.module';
import { TasksModule } from '../tasks/tasks.module';
import { DashboardController } from './dashboard.controller';
import { DashboardService } from './dashboard.service';

@Module({
  imports: [TasksModule, SupervisionModule],
  controllers: [DashboardController],
  providers: [DashboardService],
})
export class DashboardModule {}
