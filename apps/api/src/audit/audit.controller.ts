import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../identity/decorators';
import type { Principal } from '../identity/principal';
import { ListAuditQuery, ListCheckpointsQuery, VerifyCheckpointDto } from './audit.dto';
import { AuditService, VerifyResult } from './audit.service';
import { CheckpointService } from './checkpoint.service';

/** 三员分立: only the auditor reads the audit log and its checkpoints; administrators cannot. */
@ApiTags('audit')
@ApiBearerAuth()
@Roles('auditor')
@Controller('audit')
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    private readonly checkpoints: CheckpointService,
  ) {}

  @Get()
  list(@Query() query: ListAuditQuery) {
    return this.audit.list(query);
  }

  /** The chain walked from its start, and every stored checkpoint held against it. */
  @Get('verify')
  verify(): Promise<VerifyResult> {
    return this.audit.verify();
  }

  @Get('checkpoints')
  listCheckpoints(@Query() query: ListCheckpointsQuery) {
    return this.checkpoints.list(query);
  }

  /** A signed checkpoint of the chain as it ends now. */
  @Post('checkpoints')
  createCheckpoint(@CurrentUser() me: Principal) {
    return this.checkpoints.createOnDemand(me.userId);
  }

  /** A self-contained JSON for the auditor to keep outside the platform. */
  @Get('checkpoints/:id/export')
  exportCheckpoint(@Param('id') id: string) {
    return this.checkpoints.export(id);
  }

  /** An exported checkpoint held against the chain as it is now. */
  @Post('verify-checkpoint')
  @HttpCode(200)
  verifyCheckpoint(@Body() dto: VerifyCheckpointDto) {
    return this.checkpoints.verifyExport(dto);
  }
}
