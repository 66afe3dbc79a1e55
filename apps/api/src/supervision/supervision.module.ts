import { Module } from '@nestjs/common';
import { SupervisionController } from './supervision.controller';
import { SupervisionRepository } from './supervision.repository';
import { SupervisionScanner } from './supervision.scanner';
import { SupervisionService } from './supervision.service';

/** 督办: the ledger, the 办结 report and the scanner that reminds and escalates. */
@Module({
  controllers: [SupervisionController],
  providers: [SupervisionService, SupervisionRepository, SupervisionScanner],
  exports: [SupervisionService, SupervisionScanner],
})
export class SupervisionModule {}
