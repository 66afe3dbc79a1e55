import { Controller, Get, HttpCode, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { WorkerTokenGuard } from '../engine/engine-rest.controller';
import { CurrentUser, Public, Roles } from '../identity/decorators';
import type { Principal } from '../identity/principal';
import { ListArchiveQuery } from './archive.dto';
import { ArchiveService } from './archive.service';

/** 电子档案 for archivists (DESIGN.md §8: GET /api/archive, POST /api/archive/:id/check). */
@Controller('archive')
@Roles('archivist')
export class ArchiveController {
  constructor(private readonly archive: ArchiveService) {}

  @Get()
  list(@CurrentUser() me: Principal, @Query() query: ListArchiveQuery) {
    return this.archive.list(me, query);
  }

  /** Open alerts of failed fixity audits. */
  @Get('alerts')
  @Roles('archivist', 'sysadmin', 'secadmin')
  alerts() {
    return this.archive.alerts();
  }

  @Get(':id')
  get(@CurrentUser() me: Principal, @Param('id') id: string) {
    return this.archive.get(me, id);
  }

  @Get(':id/files/:name')
  async file(@CurrentUser() me: Principal, @Param('id') id: string, @Param('name') name: string, @Res() res: Response): Promise<void> {
    const file = await this.archive.file(me, id, name);
    res.setHeader('Content-Type', file.mime);
    res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    res.end(file.body);
  }

  @Post(':id/check')
  @HttpCode(200)
  check(@CurrentUser() me: Principal, @Param('id') id: string) {
    return this.archive.check(me, id);
  }
}

/** Called by the archive worker when a case reaches its archiving step (worker token). */
@ApiExcludeController()
@Public()
@UseGuards(WorkerTokenGuard)
@Controller('worker/archive')
export class WorkerArchiveController {
  constructor(private readonly archive: ArchiveService) {}

  @Post(':instanceId')
  @HttpCode(200)
  archiveCase(@Param('instanceId') instanceId: string) {
    return this.archive.archiveCase(instanceId);
  }
}
