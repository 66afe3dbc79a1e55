import { Body, Controller, Get, HttpCode, Param, Patch, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { CurrentUser, Roles } from '../identity/decorators';
import type { Principal } from '../identity/principal';
import { AppError } from '../platform/errors';
import { CreateListDto, CreateUploadDto, DecideDto, ListListsQuery, ListSubmissionsQuery, SubmissionInfoDto } from './data-collection.dto';
import { DataCollectionService } from './data-collection.service';
import { SubmissionsService } from './submissions.service';

/** The content type of upload chunks (as tus names it). */
export const CHUNK_TYPE = 'application/offset+octet-stream';

/** 基础数据汇交: the yearly list, the submissions with their resumable uploads, the board and the 通报. */
@ApiTags('data-collection')
@ApiBearerAuth()
@Controller('data-collection')
export class DataCollectionController {
  constructor(
    private readonly lists: DataCollectionService,
    private readonly submissions: SubmissionsService,
  ) {}

  @Post('lists')
  @Roles('drafter')
  create(@Body() dto: CreateListDto, @CurrentUser() me: Principal) {
    return this.lists.create(me, dto);
  }

  @Get('lists')
  all(@Query() query: ListListsQuery, @CurrentUser() me: Principal) {
    return this.lists.lists(me, query);
  }

  @Get('lists/:id')
  get(@Param('id') id: string, @CurrentUser() me: Principal) {
    return this.lists.get(me, id);
  }

  @Put('lists/:id')
  @Roles('drafter')
  resubmit(@Param('id') id: string, @Body() dto: CreateListDto, @CurrentUser() me: Principal) {
    return this.lists.resubmit(me, id, dto);
  }

  @Post('lists/:id/decide')
  @HttpCode(200)
  @Roles('office-reviewer')
  decide(@Param('id') id: string, @Body() dto: DecideDto, @CurrentUser() me: Principal) {
    return this.lists.decide(me, id, dto);
  }

  @Post('lists/:id/issue')
  @HttpCode(200)
  @Roles('drafter')
  issue(@Param('id') id: string, @CurrentUser() me: Principal) {
    return this.lists.issue(me, id);
  }

  @Get('lists/:id/board')
  board(@Param('id') id: string, @CurrentUser() me: Principal) {
    return this.lists.board(me, id);
  }

  /** The board as CSV (UTF-8 with BOM); headers only once the rows are there, so a refusal answers JSON. */
  @Get('lists/:id/board.csv')
  async csv(@Param('id') id: string, @CurrentUser() me: Principal, @Res() res: Response): Promise<void> {
    const { name, body } = await this.lists.boardCsv(me, id);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="data-collection.csv"; filename*=UTF-8''${encodeURIComponent(name)}`);
    res.setHeader('Cache-Control', 'no-store');
    res.end(body);
  }

  @Post('lists/:id/bulletin')
  @Roles('drafter')
  bulletin(@Param('id') id: string, @CurrentUser() me: Principal) {
    return this.lists.bulletin(me, id);
  }

  @Get('submissions')
  submissionList(@Query() query: ListSubmissionsQuery, @CurrentUser() me: Principal) {
    return this.submissions.list(me, query);
  }

  @Get('submissions/:id')
  submission(@Param('id') id: string, @CurrentUser() me: Principal) {
    return this.submissions.get(me, id);
  }

  @Put('submissions/:id')
  updateInfo(@Param('id') id: string, @Body() dto: SubmissionInfoDto, @CurrentUser() me: Principal) {
    return this.submissions.updateInfo(me, id, dto);
  }

  @Post('submissions/:id/uploads')
  createUpload(
    @Param('id') id: string,
    @Body() dto: CreateUploadDto,
    @CurrentUser() me: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.submissions.createUpload(me, id, dto).then((up) => {
      res.setHeader('Location', `/api/data-collection/uploads/${up.id}`);
      res.setHeader('Upload-Offset', '0');
      res.setHeader('Upload-Length', String(up.length));
      return up;
    });
  }

  /**
   * How far an upload got, to resume after a dropped connection: JSON, and the same in Upload-Offset / Upload-Length, so
   * `HEAD` (which Express answers with this handler, without the body) tells it too.
   */
  @Get('uploads/:id')
  async uploadState(@Param('id') uploadId: string, @CurrentUser() me: Principal, @Res({ passthrough: true }) res: Response) {
    const state = await this.submissions.uploadState(me, uploadId);
    res.setHeader('Upload-Offset', String(state.offset));
    res.setHeader('Upload-Length', String(state.length));
    res.setHeader('Cache-Control', 'no-store');
    return state;
  }

  /** The next bytes, at Upload-Offset, as application/offset+octet-stream; streamed to disk, never buffered whole. */
  @Patch('uploads/:id')
  async append(
    @Param('id') uploadId: string,
    @CurrentUser() me: Principal,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    if (!String(req.headers['content-type'] ?? '').startsWith(CHUNK_TYPE))
      throw new AppError('UPLOAD_CONTENT_TYPE', `请以 ${CHUNK_TYPE} 提交文件内容`, 415);
    const header = req.headers['upload-offset'];
    const offset = typeof header === 'string' && /^\d{1,16}$/.test(header) ? Number(header) : NaN;
    if (Number.isNaN(offset)) throw new AppError('UPLOAD_OFFSET_REQUIRED', '请在 Upload-Offset 中给出续传位置（字节）', 400);
    const result = await this.submissions.appendUpload(me, uploadId, offset, req);
    res.setHeader('Upload-Offset', String(result.offset));
    return result;
  }

  @Post('submissions/:id/submit')
  @HttpCode(200)
  submit(@Param('id') id: string, @CurrentUser() me: Principal) {
    return this.submissions.submit(me, id);
  }

  @Post('submissions/:id/review')
  @HttpCode(200)
  @Roles('data-admin')
  review(@Param('id') id: string, @Body() dto: DecideDto, @CurrentUser() me: Principal) {
    return this.submissions.review(me, id, dto);
  }

  @Get('submissions/:id/file')
  async file(@Param('id') id: string, @CurrentUser() me: Principal, @Res() res: Response): Promise<void> {
    const file = await this.submissions.file(me, id);
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Content-Length', String(file.size));
    res.setHeader('Content-Disposition', `attachment; filename="data"; filename*=UTF-8''${encodeURIComponent(file.name)}`);
    await pipeline(file.stream, res);
  }
}
