import { Body, Controller, Get, Param, ParseUUIDPipe, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../identity/decorators';
import type { Principal } from '../identity/principal';
import { NotFoundError } from '../platform/errors';
import { ContactDto, DirectoryQuery } from './directory.dto';
import { DirectoryService } from './directory.service';

/** 通讯录 of the person's organ; a person's own contact details; the administrator's for anyone. */
@ApiTags('directory')
@ApiBearerAuth()
@Controller('directory')
export class DirectoryController {
  constructor(private readonly directory: DirectoryService) {}

  @Get()
  list(@CurrentUser() me: Principal, @Query() query: DirectoryQuery) {
    return this.directory.directory(me, query);
  }

  @Put('me')
  own(@CurrentUser() me: Principal, @Body() dto: ContactDto) {
    return this.directory.setOwnContact(me, dto);
  }

  @Roles('sysadmin')
  @Put('people/:id')
  set(@Param('id', new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError('人员') })) id: string, @Body() dto: ContactDto) {
    return this.directory.setContact(id, dto);
  }
}
