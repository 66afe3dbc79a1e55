import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentUser, Public, Roles } from '../identity/decorators';
import type { Principal } from '../identity/principal';
import { AppError } from '../platform/errors';
import { CreatePartnerDto, RefuseIncomingDto, SetPartnerRecipientsDto } from './exchange.dto';
import { ExchangeIdentity } from './exchange-identity';
import { EXCHANGE_MEDIA_TYPE, ExchangeService } from './exchange.service';

function packageBytes(req: Request): Buffer {
  if (!Buffer.isBuffer(req.body) || req.body.length === 0) {
    throw new AppError('EXCHANGE_MALFORMED', `交换包须以 Content-Type: ${EXCHANGE_MEDIA_TYPE} 提交`, 415);
  }
  return req.body;
}

/** 公文交换 between deployments: the partners' endpoints (signed packages, no session) and the users' routes. */
@ApiTags('exchange')
@ApiBearerAuth()
@Controller('exchange')
export class ExchangeController {
  constructor(
    private readonly exchange: ExchangeService,
    private readonly identity: ExchangeIdentity,
  ) {}

  /** This deployment's organ code and certificates: what a partner's administrator registers. */
  @Public()
  @Get('identity')
  describe() {
    return this.identity.describe();
  }

  /** A partner delivers a document package; the signature, not a session, says who it is. */
  @Public()
  @Post('inbox')
  @HttpCode(200)
  inbox(@Req() req: Request) {
    return this.exchange.receivePackage(packageBytes(req));
  }

  @Public()
  @Post('receipts')
  @HttpCode(200)
  receipts(@Req() req: Request) {
    return this.exchange.receiveReceipt(packageBytes(req));
  }

  /** The partners a drafter may address (organ code and name only); empty while exchange is off. */
  @Get('partners/directory')
  directory() {
    return this.exchange.directory();
  }

  @Roles('sysadmin')
  @Get('partners')
  partners() {
    return this.exchange.listPartners();
  }

  @Roles('sysadmin')
  @Post('partners')
  addPartner(@CurrentUser() me: Principal, @Body() dto: CreatePartnerDto) {
    return this.exchange.addPartner(me, dto);
  }

  @Roles('sysadmin')
  @Delete('partners/:id')
  removePartner(@Param('id') id: string) {
    return this.exchange.removePartner(id);
  }

  @Roles('sysadmin')
  @Get('outgoing/failed')
  failed() {
    return this.exchange.listFailed();
  }

  @Roles('sysadmin')
  @Post('outgoing/:id/retry')
  @HttpCode(200)
  retry(@Param('id') id: string) {
    return this.exchange.retry(id);
  }

  @Put('documents/:id/partner-recipients')
  setRecipients(@CurrentUser() me: Principal, @Param('id') id: string, @Body() dto: SetPartnerRecipientsDto) {
    return this.exchange.setPartnerRecipients(me, id, dto.recipients);
  }

  @Get('documents/:id/partner-recipients')
  recipients(@CurrentUser() me: Principal, @Param('id') id: string) {
    return this.exchange.partnerRecipients(me, id);
  }

  @Get('incoming')
  incoming(@CurrentUser() me: Principal) {
    return this.exchange.listIncoming(me);
  }

  /** The received PDF or OFD, as a download (the name is the one in the package). */
  @Get('incoming/:id/files/:name')
  async file(@CurrentUser() me: Principal, @Param('id') packageId: string, @Param('name') name: string, @Res() res: Response) {
    const file = await this.exchange.incomingFile(me, packageId, name);
    res.setHeader('Content-Type', file.mediaType);
    res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.end(file.content);
  }

  @Post('incoming/:id/sign')
  @HttpCode(200)
  sign(@CurrentUser() me: Principal, @Param('id') packageId: string) {
    return this.exchange.answerIncoming(me, packageId, '签收');
  }

  @Post('incoming/:id/refuse')
  @HttpCode(200)
  refuse(@CurrentUser() me: Principal, @Param('id') packageId: string, @Body() dto: RefuseIncomingDto) {
    return this.exchange.answerIncoming(me, packageId, '退文', dto.reason);
  }
}
