import { Body, Controller, Get, HttpCode, Param, Post, Query, Res, UploadedFile, UseGuards, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiConsumes, ApiExcludeController } from '@nestjs/swagger';
import { toPem } from '@zhengwu/seal';
import type { Response } from 'express';
import { WorkerTokenGuard } from '../engine/engine-rest.controller';
import { CurrentUser, Public, Roles } from '../identity/decorators';
import type { Principal } from '../identity/principal';
import { ArchiveTransferService } from './archive-transfer.service';
import { CheckQuery, CreateTransferBody, ListArchiveQuery, ReportQuery } from './archive.dto';
import { ArchiveService } from './archive.service';

/** The largest EEP a 档案馆 may upload for verification (Base64 of every file of up to 500 packages). */
const TRANSFER_UPLOAD_MAX_BYTES = 512 * 1024 * 1024;

/** 电子档案 for archivists (DESIGN.md §8: GET /api/archive, POST /api/archive/:id/check). */
@Controller('archive')
@Roles('archivist')
export class ArchiveController {
  constructor(
    private readonly archive: ArchiveService,
    private readonly transfers: ArchiveTransferService,
  ) {}

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

  /** The archive key's certificate (PEM), issued by the deployment's CA (GET /api/seals/ca.crt). */
  @Get('certificate.pem')
  certificate(@Res() res: Response): void {
    res.setHeader('Content-Type', 'application/x-pem-file');
    res.setHeader('Content-Disposition', `attachment; filename="archive-signing.pem"`);
    res.setHeader('Link', '</api/seals/ca.crt>; rel="up"');
    res.end(toPem(this.archive.signingCertificate()));
  }

  /** Transfers recorded (exported and received EEPs). */
  @Get('transfers')
  transferList(@CurrentUser() me: Principal) {
    return this.transfers.list(me);
  }

  /** A DA/T 48 transfer package (EEP, XML) of a year's or the chosen packages, each passing the YJ- checks. */
  @Post('transfers')
  @HttpCode(200)
  async createTransfer(@CurrentUser() me: Principal, @Body() body: CreateTransferBody, @Res() res: Response): Promise<void> {
    const eep = await this.transfers.export(me, body);
    res.setHeader('Content-Type', 'application/xml; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(eep.name)}`);
    res.setHeader('X-Transfer-Id', eep.transferId);
    res.end(eep.body);
  }

  /** Verifies an EEP received (multipart, field `file`): signatures, chain, digests, 移交清单, YJ- checks. */
  @Post('transfers/verify')
  @HttpCode(200)
  @ApiConsumes('multipart/form-data')
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: TRANSFER_UPLOAD_MAX_BYTES, files: 1 } }))
  verifyTransfer(@CurrentUser() me: Principal, @UploadedFile() file: { buffer: Buffer } | undefined) {
    return this.transfers.verify(me, file);
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
