import { Body, Controller, Get, HttpStatus, Param, Put, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { WorkerTokenGuard } from '../engine/engine-rest.controller';
import { Public } from '../identity/decorators';
import { AppError } from '../platform/errors';
import { DocumentsService } from './documents.service';

/** What the 排版 worker reads and hands back (worker token, not a person's login). */
@ApiExcludeController()
@Public()
@UseGuards(WorkerTokenGuard)
@Controller('worker/documents')
export class DocumentsWorkerController {
  constructor(private readonly documents: DocumentsService) {}

  @Get(':id/official')
  official(@Param('id') id: string) {
    return this.documents.officialData(id);
  }

  @Put(':id/official.pdf')
  store(@Param('id') id: string, @Body() body: unknown) {
    if (!Buffer.isBuffer(body) || body.length === 0) {
      throw new AppError('PDF_REQUIRED', '请以 application/pdf 提交排版结果', HttpStatus.BAD_REQUEST);
    }
    return this.documents.storeOfficialPdf(id, body);
  }
}
