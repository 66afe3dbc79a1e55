import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../identity/decorators';
import type { Principal } from '../identity/principal';
import { DeployedSystemsService } from './deployed-systems.service';
import {
  ChangeProjectStatusDto,
  CorrectProjectDto,
  CreateSystemDto,
  ListProjectsQuery,
  ListSystemsQuery,
  SubmitProjectDto,
  UpdateSystemDto,
} from './projects.dto';
import { ProjectsService } from './projects.service';

/** 信息化项目立项 and the project ledger (项目台账). Decisions on a proposal are made in the inbox. */
@ApiTags('projects')
@ApiBearerAuth()
@Controller('projects')
export class ProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  @Get()
  list(@Query() query: ListProjectsQuery, @CurrentUser() me: Principal) {
    return this.projects.list(me, query);
  }

  @Get(':id')
  get(@Param('id') id: string, @CurrentUser() me: Principal) {
    return this.projects.get(me, id);
  }

  @Post()
  @Roles('drafter', 'reviewer', 'dept-approver', 'signer')
  submit(@Body() dto: SubmitProjectDto, @CurrentUser() me: Principal) {
    return this.projects.submit(me, dto);
  }

  /** Corrects a returned proposal and resubmits it to the unit's leader. */
  @Put(':id')
  correct(@Param('id') id: string, @Body() dto: CorrectProjectDto, @CurrentUser() me: Principal) {
    return this.projects.correct(me, id, dto);
  }

  @Post(':id/status')
  @HttpCode(200)
  changeStatus(@Param('id') id: string, @Body() dto: ChangeProjectStatusDto, @CurrentUser() me: Principal) {
    return this.projects.changeStatus(me, id, dto);
  }
}

/** The ledger of deployed application systems (系统部署台账). */
@ApiTags('projects')
@ApiBearerAuth()
@Controller('deployed-systems')
export class DeployedSystemsController {
  constructor(private readonly systems: DeployedSystemsService) {}

  @Get()
  list(@Query() query: ListSystemsQuery, @CurrentUser() me: Principal) {
    return this.systems.list(me, query);
  }

  @Get(':id')
  get(@Param('id') id: string, @CurrentUser() me: Principal) {
    return this.systems.get(me, id);
  }

  @Post()
  @Roles('office-reviewer', 'data-admin')
  create(@Body() dto: CreateSystemDto, @CurrentUser() me: Principal) {
    return this.systems.create(me, dto);
  }

  @Put(':id')
  @Roles('office-reviewer', 'data-admin')
  update(@Param('id') id: string, @Body() dto: UpdateSystemDto, @CurrentUser() me: Principal) {
    return this.systems.update(me, id, dto);
  }
}
