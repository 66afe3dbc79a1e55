import { Body, Controller, Get, HttpCode, Param, Post, Query, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser } from '../../identity/decorators';
import type { Principal } from '../../identity/principal';
import { NotFoundError } from '../../platform/errors';
import type { IncomingFile } from '../../files/attachments.service';
import { DiffQuery, SaveRevisionDto } from './revisions.dto';
import { RevisionsService } from './revisions.service';

/** A revision number from the path; anything else is a revision that does not exist. */
function revisionNumber(value: string): number {
  if (!/^\d{1,7}$/.test(value)) throw new NotFoundError('修订稿');
  return Number(value);
}

const DOCX_MIME = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** 正文 with 痕迹保留: the revisions of a document's body, their changes, compare, .docx in and out. */
@ApiTags('documents')
@ApiBearerAuth()
@Controller('documents/:id/revisions')
export class RevisionsController {
  constructor(private readonly revisions: RevisionsService) {}

  @Get()
  list(@Param('id') id: string, @CurrentUser() me: Principal) {
    return this.revisions.list(me, id);
  }

  /** Save the body (the holder of the open 拟稿, 核稿 or 会签 step): a new revision, or the same person's open one replaced. */
  @Post()
  save(@Param('id') id: string, @Body() dto: SaveRevisionDto, @CurrentUser() me: Principal) {
    return this.revisions.save(me, id, dto);
  }

  @Get('diff')
  diff(@Param('id') id: string, @Query() query: DiffQuery, @CurrentUser() me: Principal) {
    return this.revisions.diff(me, id, query.from, query.to);
  }

  /** multipart/form-data with the .docx in field `file`: answers the paragraphs for the editor (nothing is saved). */
  @Post('import-docx')
  @HttpCode(200)
  @ApiConsumes('multipart/form-data')
  @UseInterceptors(FileInterceptor('file', { defParamCharset: 'utf8', limits: { fileSize: 10 * 1024 * 1024, files: 1 } }))
  importDocx(@Param('id') id: string, @UploadedFile() file: IncomingFile | undefined, @CurrentUser() me: Principal) {
    return this.revisions.importDocx(me, id, file?.buffer);
  }

  @Get(':number')
  get(@Param('id') id: string, @Param('number') number: string, @CurrentUser() me: Principal) {
    return this.revisions.get(me, id, revisionNumber(number));
  }

  @Get(':number/docx')
  async docx(@Param('id') id: string, @Param('number') number: string, @CurrentUser() me: Principal, @Res() res: Response): Promise<void> {
    const file = await this.revisions.exportDocx(me, id, revisionNumber(number));
    res.setHeader('Content-Type', DOCX_MIME);
    res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.end(file.content);
  }

  @Post(':number/changes/:changeId/accept')
  @HttpCode(200)
  accept(@Param('id') id: string, @Param('number') number: string, @Param('changeId') changeId: string, @CurrentUser() me: Principal) {
    return this.revisions.decide(me, id, revisionNumber(number), changeId, 'accept');
  }

  @Post(':number/changes/:changeId/reject')
  @HttpCode(200)
  reject(@Param('id') id: string, @Param('number') number: string, @Param('changeId') changeId: string, @CurrentUser() me: Principal) {
    return this.revisions.decide(me, id, revisionNumber(number), changeId, 'reject');
  }
}
