import { Global, Module } from '@nestjs/common';
import { DefinitionsService } from './definitions.service';
import { ENGINE_PORT } from './engine.port';
import { EngineRestController, EngineRestEventsController, WorkerTokenGuard } from './engine-rest.controller';
import { EngineService } from './engine.service';
import { ExternalTaskHandOff } from './external-task-handoff';
import { ExternalTaskService } from './external-task.service';
import { HolidayService } from './holiday.service';
import { ProcessController } from './process.controller';
import { TimerScheduler } from './timer.scheduler';

@Global()
@Module({
  controllers: [ProcessController, EngineRestController, EngineRestEventsController],
  providers: [
    DefinitionsService,
    EngineService,
    ExternalTaskService,
    ExternalTaskHandOff,
    HolidayService,
    TimerScheduler,
    WorkerTokenGuard,
    { provide: ENGINE_PORT, useExisting: EngineService },
  ],
  exports: [ENGINE_PORT, EngineService, DefinitionsService, HolidayService],
})
export class EngineModule {}
