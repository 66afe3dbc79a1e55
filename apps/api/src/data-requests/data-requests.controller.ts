import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../identity/decorators';
import type { Principal } from '../identity/principal';
import { CommentDto, CreateDataRequestDto, ListDataRequestsQuery, UpdateDataRequestDto } from './data-requests.dto';
import { DataRequestsService } from './data-requests.service';

/** 数据资源目录. */
@ApiTags('data-requests')
@ApiBearerAuth()
@Controller('datasets')
export class DatasetsController {
  constructor(private readonly requests: DataRequestsService) {}

  @Get()
  list() {
    return this.requests.datasets();
  }
}

/** 数据使用申请 (decisions go through /api/tasks/:id/actions). */
@ApiTags('data-requests')
@ApiBearerAuth()
@Controller('data-requests')
export class DataRequestsController {
  constructor(private readonly requests: DataRequestsService) {}

  @Post()
  @Roles('drafter')
  create(@Body() dto: CreateDataRequestDto, @CurrentUser() me: Principal) {
    return this.requests.create(me, dto);
  }

  @Get()
  list(@Query() query: ListDataRequestsQuery, @CurrentUser() me: Principal) {
    return this.requests.list(me, query);
  }

  @Get(':id')
  get(@Param('id') id: string, @CurrentUser() me: Principal) {
    return this.requests.get(me, id);
  }

  @Put(':id')
  update(@Param('id') id: string, @Body() dto: UpdateDataRequestDto, @CurrentUser() me: Principal) {
    return this.requests.update(me, id, dto);
  }

  @Post(':id/submit')
  @HttpCode(200)
  submit(@Param('id') id: string, @Body() dto: CommentDto, @CurrentUser() me: Principal) {
    return this.requests.submit(me, id, dto);
  }

  @Post(':id/confirm')
  @HttpCode(200)
  confirm(@Param('id') id: string, @Body() dto: CommentDto, @CurrentUser() me: Principal) {
    return this.requests.confirm(me, id, dto);
  }
}
