import { Module } from '@nestjs/common';
import { DocumentsModule } from '../documents/documents.module';
import { SupervisionModule } from '../supervision/supervision.module';
import { TasksModule } from '../tasks/tasks.module';
import { WorkPlanProcess } from './work-plan.process';
import { WorkPlansController } from './work-plans.controller';
import { WorkPlansRepository } from './work-plans.repository';
import { WorkPlansScanner } from './work-plans.scanner';
import { WorkPlansService } from './work-plans.service';

/** 年度信息化工作要点 (work-plan): drafting, the group's vote, 督办 per item, progress reports, 年度评估 and 通报. */
@Module({
  imports: [TasksModule, SupervisionModule, DocumentsModule],
  controllers: [WorkPlansController],
  providers: [WorkPlansService, WorkPlanProcess, WorkPlansRepository, WorkPlansScanner],
  exports: [WorkPlansService, WorkPlansScanner],
})
export class WorkPlansModule {}
