import { Body, Controller, Get, Param, Put, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser, Public } from '../identity/decorators';
import type { Principal } from '../identity/principal';
import { UpdateEntryDto } from './catalogue.dto';
import { CatalogueService } from './catalogue.service';

/** 数据共享目录清单: kept by the owner units, published at stable addresses for other departments' systems. */
@ApiTags('catalogue')
@ApiBearerAuth()
@Controller('catalogue')
export class CatalogueController {
  constructor(private readonly catalogue: CatalogueService) {}

  @Get()
  list(@CurrentUser() me: Principal) {
    return this.catalogue.list(me);
  }

  /** The published catalogue (JSON): shareable, unclassified entries; no login, a stable address. */
  @Public()
  @Get('published.json')
  async json(@Res() res: Response): Promise<void> {
    const items = await this.catalogue.published();
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.end(JSON.stringify({ title: '数据共享目录清单', generatedAt: new Date().toISOString(), items }));
  }

  /** The same as CSV (UTF-8 with BOM). */
  @Public()
  @Get('published.csv')
  async csv(@Res() res: Response): Promise<void> {
    const body = await this.catalogue.csv();
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader(
      'Content-Disposition',
      `attachment; filename="catalogue.csv"; filename*=UTF-8''${encodeURIComponent('数据共享目录清单.csv')}`,
    );
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.end(body);
  }

  @Put(':code')
  update(@CurrentUser() me: Principal, @Param('code') code: string, @Body() dto: UpdateEntryDto) {
    return this.catalogue.update(me, code, dto);
  }
}
