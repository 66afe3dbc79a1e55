import { Body, Controller, Get, Header, HttpCode, HttpStatus, Param, Post, Put, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeController, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { WorkerTokenGuard } from '../engine/engine-rest.controller';
import { CurrentUser, Public, Roles } from '../identity/decorators';
import type { Principal } from '../identity/principal';
import { AppError } from '../platform/errors';
import { CreateSealDto, RevokeSealDto, SealPreviewDto } from './seals.dto';
import { SealsService } from './seals.service';

function png(res: Response, body: Buffer): void {
  res.setHeader('Content-Type', 'image/png');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.end(body);
}

/** 电子印章 of the 印章管理员's unit, and the deployment's CA certificate. */
@ApiTags('seals')
@ApiBearerAuth()
@Controller('seals')
export class SealsController {
  constructor(private readonly seals: SealsService) {}

  /** The CA certificate (PEM) that made the seals: what an outside verifier trusts. */
  @Public()
  @Get('ca.crt')
  @Header('Content-Type', 'application/x-pem-file')
  @Header('Content-Disposition', 'attachment; filename="zhengwu-seal-ca.crt"')
  caCertificate(): string {
    return this.seals.caCertificatePem();
  }

  @Roles('seal-keeper')
  @Get()
  list(@CurrentUser() me: Principal) {
    return this.seals.list(me);
  }

  @Roles('seal-keeper')
  @Post()
  create(@Body() dto: CreateSealDto, @CurrentUser() me: Principal) {
    return this.seals.create(me, dto);
  }

  @Roles('seal-keeper')
  @Post('preview')
  @HttpCode(200)
  preview(@Body() dto: SealPreviewDto, @CurrentUser() me: Principal, @Res() res: Response): void {
    png(res, this.seals.preview(me, dto));
  }

  @Roles('seal-keeper')
  @Get(':id/image')
  async image(@Param('id') id: string, @CurrentUser() me: Principal, @Res() res: Response): Promise<void> {
    png(res, await this.seals.image(me, id));
  }

  @Roles('seal-keeper')
  @Post(':id/revoke')
  @HttpCode(200)
  revoke(@Param('id') id: string, @Body() dto: RevokeSealDto, @CurrentUser() me: Principal) {
    return this.seals.revoke(me, id, dto.reason);
  }
}

/** A document's seal: its status for the page, and 验章. */
@ApiTags('documents')
@ApiBearerAuth()
@Controller('documents')
export class DocumentSealsController {
  constructor(private readonly seals: SealsService) {}

  @Get(':id/seal')
  seal(@Param('id') id: string, @CurrentUser() me: Principal) {
    return this.seals.documentSeal(me, id);
  }

  /** 验章: valid / tampered (with the changed files) / unknown seal / unsigned. */
  @Get(':id/seal-verification')
  verify(@Param('id') id: string, @CurrentUser() me: Principal) {
    return this.seals.verifyDocument(me, id);
  }
}

/** Where the 排版 worker hands over the OFD it wrote beside the PDF (worker token). */
@ApiExcludeController()
@Public()
@UseGuards(WorkerTokenGuard)
@Controller('worker/documents')
export class SealsWorkerController {
  constructor(private readonly seals: SealsService) {}

  @Put(':id/official.ofd')
  store(@Param('id') id: string, @Body() body: unknown) {
    if (!Buffer.isBuffer(body) || body.length === 0) {
      throw new AppError('OFD_REQUIRED', '请以 application/ofd 提交排版结果', HttpStatus.BAD_REQUEST);
    }
    return this.seals.storeOfficialOfd(id, body);
  }
}
