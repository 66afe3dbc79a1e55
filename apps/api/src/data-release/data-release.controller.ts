import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../identity/decorators';
import type { Principal } from '../identity/principal';
import {
  CreateOutsideRequestDto,
  CreateReleaseRequestDto,
  ListOutsideRequestsQuery,
  ListReleaseRequestsQuery,
  ListReleasesQuery,
  ReplyDto,
} from './data-release.dto';
import { DataReleaseService } from './data-release.service';
import { OutsideRequestsService } from './outside-requests.service';

/** 以部名义发布数据 (decisions go through /api/tasks/:id/actions). */
@ApiTags('data-release')
@ApiBearerAuth()
@Controller('data-release')
export class DataReleaseController {
  constructor(
    private readonly releases: DataReleaseService,
    private readonly outside: OutsideRequestsService,
  ) {}

  @Post('requests')
  @Roles('drafter')
  create(@Body() dto: CreateReleaseRequestDto, @CurrentUser() me: Principal) {
    return this.releases.create(me, dto);
  }

  @Get('requests')
  list(@Query() query: ListReleaseRequestsQuery, @CurrentUser() me: Principal) {
    return this.releases.list(me, query);
  }

  @Get('requests/:id')
  get(@Param('id') id: string, @CurrentUser() me: Principal) {
    return this.releases.get(me, id);
  }

  /** 数据发布登记: what was released, to whom, when and by whom — open to every signed-in person. */
  @Get('releases')
  register(@Query() query: ListReleasesQuery) {
    return this.releases.releases(query);
  }

  @Post('outside-requests')
  @Roles('office-reviewer', 'drafter')
  registerOutside(@Body() dto: CreateOutsideRequestDto, @CurrentUser() me: Principal) {
    return this.outside.register(me, dto);
  }

  @Get('outside-requests')
  listOutside(@Query() query: ListOutsideRequestsQuery, @CurrentUser() me: Principal) {
    return this.outside.list(me, query);
  }

  @Get('outside-requests/:id')
  getOutside(@Param('id') id: string, @CurrentUser() me: Principal) {
    return this.outside.get(me, id);
  }

  @Post('outside-requests/:id/reply')
  @HttpCode(200)
  @Roles('drafter')
  reply(@Param('id') id: string, @Body() dto: ReplyDto, @CurrentUser() me: Principal) {
    return this.outside.reply(me, id, dto);
  }
}
