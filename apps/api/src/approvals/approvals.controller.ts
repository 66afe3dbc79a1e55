import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../identity/decorators';
import type { Principal } from '../identity/principal';
import { AcceptApprovalDto, ListApprovalsQuery, ResubmitApprovalDto } from './approvals.dto';
import { ApprovalsService } from './approvals.service';

/** 三级联网审批: 受理 at a county window, the case list by jurisdiction, and one case with its levels. Decisions go through /api/tasks. */
@ApiTags('approvals')
@ApiBearerAuth()
@Controller('approvals')
export class ApprovalsController {
  constructor(private readonly approvals: ApprovalsService) {}

  @Post()
  @Roles('clerk', 'drafter')
  accept(@Body() dto: AcceptApprovalDto, @CurrentUser() me: Principal) {
    return this.approvals.accept(me, dto);
  }

  @Get()
  list(@Query() query: ListApprovalsQuery, @CurrentUser() me: Principal) {
    return this.approvals.list(me, query);
  }

  @Get(':id')
  get(@Param('id') id: string, @CurrentUser() me: Principal) {
    return this.approvals.get(me, id);
  }

  @Post(':id/resubmit')
  @HttpCode(200)
  @Roles('clerk', 'drafter')
  resubmit(@Param('id') id: string, @Body() dto: ResubmitApprovalDto, @CurrentUser() me: Principal) {
    return this.approvals.resubmit(me, id, dto);
  }
}
