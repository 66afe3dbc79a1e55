import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../identity/decorators';
import type { Principal } from '../identity/principal';
import { BatchActionDto, ListTasksQuery, TaskActionDto } from './tasks.dto';
import { TasksService } from './tasks.service';

/** The web inbox: 待办 / 已办 / 我发起的 / 抄送我的, one task with its form and history, and the operations. */
@ApiTags('tasks')
@ApiBearerAuth()
@Controller('tasks')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Get()
  list(@Query() query: ListTasksQuery, @CurrentUser() me: Principal) {
    return this.tasks.list(me, query);
  }

  /** 批量同意: one transaction per task; the answer lists each task's result. */
  @Post('batch-actions')
  @HttpCode(200)
  batch(@Body() dto: BatchActionDto, @CurrentUser() me: Principal) {
    return this.tasks.batch(me, dto);
  }

  @Get(':id')
  get(@Param('id') id: string, @CurrentUser() me: Principal) {
    return this.tasks.get(me, id);
  }

  /** The case's diagram with completed and current steps and who holds them; 404 for a task one may not see. */
  @Get(':id/diagram')
  diagram(@Param('id') id: string, @CurrentUser() me: Principal) {
    return this.tasks.diagram(me, id);
  }

  @Post(':id/actions')
  @HttpCode(200)
  act(@Param('id') id: string, @Body() dto: TaskActionDto, @CurrentUser() me: Principal, @Req() req: Request) {
    // The step's contract judges the variables exactly as sent: class-transformer drops keys such as `constructor`
    // on its way to the DTO, and a name the request carries must be refused, not silently lost.
    const sent = (req.body as { variables?: unknown } | undefined)?.variables;
    const variables = sent !== null && typeof sent === 'object' && !Array.isArray(sent) ? (sent as Record<string, unknown>) : dto.variables;
    return this.tasks.act(me, id, { ...dto, variables });
  }
}
