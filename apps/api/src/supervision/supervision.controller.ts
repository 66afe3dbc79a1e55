import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser } from '../identity/decorators';
import type { Principal } from '../identity/principal';
import {
  CreateSupervisionDto,
  ExportSupervisionQuery,
  ListSupervisionQuery,
  ReportSupervisionDto,
  ReturnSupervisionDto,
} from './supervision.dto';
import { SupervisionService } from './supervision.service';

/**
 * 督办台账. Who may mark an item (leaders, 办公厅) is decided by the service, since 办公厅 membership is a unit, not a role;
 * everything else is scoped per item (404 outside it).
 */
@ApiTags('supervision')
@ApiBearerAuth()
@Controller('supervision')
export class SupervisionController {
  constructor(private readonly supervision: SupervisionService) {}

  @Post()
  create(@Body() dto: CreateSupervisionDto, @CurrentUser() me: Principal) {
    return this.supervision.create(me, dto);
  }

  @Get()
  list(@Query() query: ListSupervisionQuery, @CurrentUser() me: Principal) {
    return this.supervision.list(me, query);
  }

  /** Whether the person may mark items 督办 (the pages show the button only then). */
  @Get('capabilities')
  capabilities(@CurrentUser() me: Principal) {
    return this.supervision.capabilities(me);
  }

  /** The CSV headers are set only once there is a CSV: a refused query answers JSON with its code, as everywhere. */
  @Get('export.csv')
  async export(@Query() query: ExportSupervisionQuery, @CurrentUser() me: Principal, @Res() res: Response): Promise<void> {
    const csv = await this.supervision.exportCsv(me, query);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="supervision.csv"; filename*=UTF-8''${encodeURIComponent('督办台账.csv')}`);
    res.setHeader('Cache-Control', 'no-store');
    res.end(csv);
  }

  @Get(':id')
  get(@Param('id') id: string, @CurrentUser() me: Principal) {
    return this.supervision.get(me, id);
  }

  @Post(':id/report')
  @HttpCode(200)
  report(@Param('id') id: string, @Body() dto: ReportSupervisionDto, @CurrentUser() me: Principal) {
    return this.supervision.report(me, id, dto);
  }

  @Post(':id/close')
  @HttpCode(200)
  close(@Param('id') id: string, @CurrentUser() me: Principal) {
    return this.supervision.close(me, id);
  }

  @Post(':id/return')
  @HttpCode(200)
  sendBack(@Param('id') id: string, @Body() dto: ReturnSupervisionDto, @CurrentUser() me: Principal) {
    return this.supervision.sendBack(me, id, dto.reason);
  }
}
