import { Controller, Get, HttpCode, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { WorkerTokenGuard } from '../engine/engine-rest.controller';
import { CurrentUser, Public, Roles } from '../identity/decorators';
import type { Principal } from '../identity/principal';
import { CheckQuery, ListArchiveQuery, ReportQuery } from './archive.dto';
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

  /** The XSD of metadata.xml (DA/T 46, format 2). */
  @Get('schema/metadata.xsd')
  schema(@Res() res: Response): void {
    res.setHeader('Content-Type', 'application/xml; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="metadata.xsd"`);
    res.end(this.archive.metadataSchema());
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
  check(@CurrentUser() me: Principal, @Param('id') id: string, @Query() query: CheckQuery) {
    return this.archive.check(me, id, query.stage);
  }

  /** The printable 四性检测 report (PDF) of the latest check, or of the one named. */
  @Get(':id/report.pdf')
  async report(@CurrentUser() me: Principal, @Param('id') id: string, @Query() query: ReportQuery, @Res() res: Response): Promise<void> {
    const pdf = await this.archive.reportPdf(me, id, query.check);
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', `inline; filename*=UTF-8''${encodeURIComponent(pdf.name)}`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.end(pdf.body);
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
