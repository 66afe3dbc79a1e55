import { Module } from '@nestjs/common';
import { DeploymentCa } from './deployment-ca.service';
import { DocumentSealsController, SealsController, SealsWorkerController } from './seals.controller';
import { SealsRepository } from './seals.repository';
import { SealsService } from './seals.service';

@Module({
  controllers: [SealsController, DocumentSealsController, SealsWorkerController],
  providers: [SealsService, SealsRepository, DeploymentCa],
  // The CA is the deployment's: the archive (issue 17) takes its certificate from it too.
  exports: [SealsService, DeploymentCa],
})
export class SealsModule {}
