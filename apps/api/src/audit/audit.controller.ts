import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { Roles } from '../identity/decorators';
import { AuditService, VerifyResult } from './audit.service';

export class ListAuditQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('all', { message: 'userId 须为 UUID' })
  userId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  action?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit 须为整数' })
  @Min(1)
  @Max(500, { message: 'limit 最大为 500' })
  limit = 100;

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'offset 须为整数' })
  @Min(0)
  offset = 0;
}

/** 三员分立: only the auditor reads the audit log; administrators cannot. */
@ApiTags('audit')
@ApiBearerAuth()
@Roles('auditor')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  list(@Query() query: ListAuditQuery) {
    return this.audit.list(query);
  }

  @Get('verify')
  verify(): Promise<VerifyResult> {
    return this.audit.verify();
  }
}
