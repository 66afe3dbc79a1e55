import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../identity/decorators';
import type { Principal } from '../identity/principal';
import { CreatePlanDto, EvaluationDto, ListPlansQuery, ProgressDto, ResubmitDto, SummaryDto, UpdatePlanDto } from './work-plans.dto';
import { WorkPlansService } from './work-plans.service';

/**
 * 年度信息化工作要点. 信息办 membership is a unit, not a role, so the service decides who may draft; everything else is
 * scoped per plan and item (404 outside it). The group's vote and review happen in the inbox (work-plan.bpmn).
 */
@ApiTags('work-plans')
@ApiBearerAuth()
@Controller('work-plans')
export class WorkPlansController {
  constructor(private readonly plans: WorkPlansService) {}

  @Get()
  list(@Query() query: ListPlansQuery, @CurrentUser() me: Principal) {
    return this.plans.list(me, query);
  }

  @Get('capabilities')
  capabilities(@CurrentUser() me: Principal) {
    return this.plans.capabilities(me);
  }

  @Post()
  create(@Body() dto: CreatePlanDto, @CurrentUser() me: Principal) {
    return this.plans.create(me, dto);
  }

  @Get('items/:id')
  item(@Param('id') id: string, @CurrentUser() me: Principal) {
    return this.plans.getItem(me, id);
  }

  @Post('items/:id/progress')
  @HttpCode(200)
  progress(@Param('id') id: string, @Body() dto: ProgressDto, @CurrentUser() me: Principal) {
    return this.plans.reportProgress(me, id, dto);
  }

  @Post('items/:id/summary')
  @HttpCode(200)
  summary(@Param('id') id: string, @Body() dto: SummaryDto, @CurrentUser() me: Principal) {
    return this.plans.submitSummary(me, id, dto);
  }

  @Get(':id')
  get(@Param('id') id: string, @CurrentUser() me: Principal) {
    return this.plans.get(me, id);
  }

  @Put(':id')
  update(@Param('id') id: string, @Body() dto: UpdatePlanDto, @CurrentUser() me: Principal) {
    return this.plans.update(me, id, dto);
  }

  @Post(':id/submit')
  @HttpCode(200)
  submit(@Param('id') id: string, @CurrentUser() me: Principal) {
    return this.plans.submit(me, id);
  }

  @Post(':id/resubmit')
  @HttpCode(200)
  resubmit(@Param('id') id: string, @Body() dto: ResubmitDto, @CurrentUser() me: Principal) {
    return this.plans.resubmit(me, id, dto.comment);
  }

  @Get(':id/evaluation')
  evaluation(@Param('id') id: string, @CurrentUser() me: Principal) {
    return this.plans.evaluation(me, id);
  }

  @Post(':id/evaluation')
  @HttpCode(200)
  submitEvaluation(@Param('id') id: string, @Body() dto: EvaluationDto, @CurrentUser() me: Principal) {
    return this.plans.submitEvaluation(me, id, dto);
  }

  @Post(':id/bulletin')
  @HttpCode(201)
  bulletin(@Param('id') id: string, @CurrentUser() me: Principal) {
    return this.plans.draftBulletin(me, id);
  }
}
