import { Global, Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';
import { AuditSigner } from './audit-signer';
import { CheckpointScheduler } from './checkpoint.scheduler';
import { CheckpointService } from './checkpoint.service';

@Global()
@Module({
  controllers: [AuditController],
  providers: [AuditService, AuditSigner, CheckpointService, CheckpointScheduler],
  exports: [AuditService],
})
export class AuditModule {}
