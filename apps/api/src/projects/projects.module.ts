import { Module } from '@nestjs/common';
import { TasksModule } from '../tasks/tasks.module';
import { DeployedSystemsService } from './deployed-systems.service';
import { DeployedSystemsController, ProjectsController } from './projects.controller';
import { ProjectsService } from './projects.service';

/** 信息化项目立项 (project-initiation), the project ledger and the deployed-systems ledger. */
@Module({
  imports: [TasksModule],
  controllers: [ProjectsController, DeployedSystemsController],
  providers: [ProjectsService, DeployedSystemsService],
  exports: [ProjectsService, DeployedSystemsService],
})
export class ProjectsModule {}
