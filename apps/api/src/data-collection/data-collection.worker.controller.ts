import { Controller, Get, Param, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { WorkerTokenGuard } from '../engine/engine-rest.controller';
import { Public } from '../identity/decorators';
import { SubmissionsService } from './submissions.service';

/** What the automatic check reads: the submission as listed and stated, and its file (worker token, not a login). */
@ApiExcludeController()
@Public()
@UseGuards(WorkerTokenGuard)
@Controller('worker/data-collection')
export class DataCollectionWorkerController {
  constructor(private readonly submissions: SubmissionsService) {}

  @Get('submissions/:id')
  input(@Param('id') id: string) {
    return this.submissions.checkInput(id);
  }

  @Get('submissions/:id/file')
  async file(@Param('id') id: string, @Res() res: Response): Promise<void> {
    const file = await this.submissions.workerFile(id);
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Content-Length', String(file.size));
    await pipeline(file.stream, res);
  }
}
