import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../identity/decorators';
import type { Principal } from '../identity/principal';
import { CreateDocumentDto, ListDocumentsQuery, RefuseReceiptDto } from './documents.dto';
import { DocumentsService } from './documents.service';
import { ReceiptsService } from './receipts.service';

/** 公文交换: 发文 (draft, the sender's live view of every recipient) and 收文 (签收 / 退文). */
@ApiTags('documents')
@ApiBearerAuth()
@Controller('documents')
export class DocumentsController {
  constructor(
    private readonly documents: DocumentsService,
    private readonly receipts: ReceiptsService,
  ) {}

  @Post()
  create(@Body() dto: CreateDocumentDto, @CurrentUser() me: Principal) {
    return this.documents.create(me, dto);
  }

  @Get()
  list(@Query() query: ListDocumentsQuery, @CurrentUser() me: Principal) {
    return this.documents.list(me, query);
  }

  @Get(':id')
  get(@Param('id') id: string, @CurrentUser() me: Principal) {
    return this.documents.get(me, id);
  }

  @Put(':id')
  update(@Param('id') id: string, @Body() dto: CreateDocumentDto, @CurrentUser() me: Principal) {
    return this.documents.update(me, id, dto);
  }

  /** One 收文 of my unit (a local 发文 or a partner's package), with its status and case. */
  @Get('receipts/:receiptId')
  receipt(@Param('receiptId') receiptId: string, @CurrentUser() me: Principal) {
    return this.receipts.detail(me, receiptId);
  }

  @Post('receipts/:receiptId/sign')
  @HttpCode(200)
  sign(@Param('receiptId') receiptId: string, @CurrentUser() me: Principal) {
    return this.receipts.sign(me, receiptId);
  }

  @Post('receipts/:receiptId/refuse')
  @HttpCode(200)
  refuse(@Param('receiptId') receiptId: string, @Body() dto: RefuseReceiptDto, @CurrentUser() me: Principal) {
    return this.receipts.refuse(me, receiptId, dto.reason);
  }
}
