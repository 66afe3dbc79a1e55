import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../identity/decorators';
import type { Principal } from '../identity/principal';
import { CreateFilingDto, ListFilingsQuery, SubmitFilingDto, UpdateFilingDto } from './filings.dto';
import { FilingsService } from './filings.service';

/** 规划备案: provinces file, 信息办 registers (decisions go through /api/tasks/:id/actions). */
@ApiTags('filings')
@ApiBearerAuth()
@Controller('filings')
export class FilingsController {
  constructor(private readonly filings: FilingsService) {}

  @Post()
  @Roles('drafter')
  create(@Body() dto: CreateFilingDto, @CurrentUser() me: Principal) {
    return this.filings.create(me, dto);
  }

  @Get()
  list(@Query() query: ListFilingsQuery, @CurrentUser() me: Principal) {
    return this.filings.list(me, query);
  }

  @Get(':id')
  get(@Param('id') id: string, @CurrentUser() me: Principal) {
    return this.filings.get(me, id);
  }

  @Put(':id')
  @Roles('drafter')
  update(@Param('id') id: string, @Body() dto: UpdateFilingDto, @CurrentUser() me: Principal) {
    return this.filings.update(me, id, dto);
  }

  @Post(':id/submit')
  @HttpCode(200)
  @Roles('drafter')
  submit(@Param('id') id: string, @Body() dto: SubmitFilingDto, @CurrentUser() me: Principal) {
    return this.filings.submit(me, id, dto);
  }

  @Get(':id/receipt')
  receipt(@Param('id') id: string, @CurrentUser() me: Principal) {
    return this.filings.receipt(me, id);
  }
}
