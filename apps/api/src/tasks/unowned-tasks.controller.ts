import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../identity/decorators';
import type { Principal } from '../identity/principal';
import { AssignTaskDto, ListUnownedTasksQuery } from './unowned-tasks.dto';
import { UnownedTasksService } from './unowned-tasks.service';

/** 无人办理的任务 (system administrator): steps that reach nobody, and 指派 to a real person. */
@ApiTags('admin')
@ApiBearerAuth()
@Roles('sysadmin')
@Controller('admin/unowned-tasks')
export class UnownedTasksController {
  constructor(private readonly unowned: UnownedTasksService) {}

  @Get()
  list(@Query() query: ListUnownedTasksQuery) {
    return this.unowned.list(query);
  }

  @Post(':id/assign')
  @HttpCode(200)
  assign(@Param('id') id: string, @Body() dto: AssignTaskDto, @CurrentUser() me: Principal) {
    return this.unowned.assign(me, id, dto);
  }
}
