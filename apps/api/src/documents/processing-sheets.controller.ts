import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser } from '../identity/decorators';
import type { Principal } from '../identity/principal';
import { ProcessingSheets } from './processing-sheets';

/** 处理单 as PDF: the 发文稿纸 of a document and the 收文处理笺 of a receipt, with the document's own access rules. */
@ApiTags('documents')
@ApiBearerAuth()
@Controller('documents')
export class ProcessingSheetsController {
  constructor(private readonly sheets: ProcessingSheets) {}

  @Get(':id/sheet.pdf')
  @ApiProduces('application/pdf')
  async dispatch(@Param('id') id: string, @CurrentUser() me: Principal, @Res() res: Response): Promise<void> {
    send(res, await this.sheets.dispatchSheet(me, id));
  }

  @Get('receipts/:receiptId/sheet.pdf')
  @ApiProduces('application/pdf')
  async receipt(@Param('receiptId') receiptId: string, @CurrentUser() me: Principal, @Res() res: Response): Promise<void> {
    send(res, await this.sheets.receiptSheet(me, receiptId));
  }
}

function send(res: Response, file: { name: string; pdf: Buffer }): void {
  res.setHeader('Content-Type', 'application/pdf');
  // inline: the browser opens it to print; the name is kept for saving.
  res.setHeader('Content-Disposition', `inline; filename*=UTF-8''${encodeURIComponent(file.name)}`);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'no-store');
  res.end(file.pdf);
}
