import { Controller, Delete, Get, Param, Post, Query, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser } from '../identity/decorators';
import type { Principal } from '../identity/principal';
import { AttachmentsService, type IncomingFile } from './attachments.service';

@ApiTags('attachments')
@ApiBearerAuth()
@Controller('attachments')
export class AttachmentsController {
  constructor(private readonly attachments: AttachmentsService) {}

  /** multipart/form-data with the file in field `file`; `?ownerKind=document&ownerId=<id>`. */
  @Post()
  @ApiConsumes('multipart/form-data')
  // The size limit comes from the module's multer options (ATTACHMENT_MAX_MB); larger uploads answer 413.
  @UseInterceptors(FileInterceptor('file', { defParamCharset: 'utf8' }))
  upload(
    @Query('ownerKind') kind: string,
    @Query('ownerId') ownerId: string,
    @UploadedFile() file: IncomingFile | undefined,
    @CurrentUser() me: Principal,
  ) {
    return this.attachments.upload(me, String(kind ?? ''), String(ownerId ?? ''), file);
  }

  @Get()
  list(@Query('ownerKind') kind: string, @Query('ownerId') ownerId: string, @CurrentUser() me: Principal) {
    return this.attachments.list(me, String(kind ?? ''), String(ownerId ?? ''));
  }

  @Get(':id/content')
  async content(@Param('id') id: string, @CurrentUser() me: Principal, @Res() res: Response): Promise<void> {
    const { view, body } = await this.attachments.content(me, id);
    res.setHeader('Content-Type', view.mime);
    // Always a download, never rendered in our origin: an uploaded file must not run as our page.
    res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(view.name)}`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    res.setHeader('Digest', `sha-256=${Buffer.from(view.sha256, 'hex').toString('base64')}`);
    res.end(body);
  }

  @Delete(':id')
  remove(@Param('id') id: string, @CurrentUser() me: Principal) {
    return this.attachments.remove(me, id);
  }
}
