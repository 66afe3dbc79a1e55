import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PageLimit } from '../platform/paging';
import { CurrentUser, Roles } from '../identity/decorators';
import type { Principal } from '../identity/principal';
import { AppError } from '../platform/errors';
import { CreateUserDto, ListUsersQuery, SetRolesDto } from './org.dto';
import { OrgService } from './org.service';

const uuidPipe = new ParseUUIDPipe({
  exceptionFactory: () => new AppError('VALIDATION_FAILED', '编号格式不正确（应为 UUID）', 400, [{ field: 'id', message: '应为 UUID' }]),
});

/** The people lookup of the pickers (转办, 委派, 抄送, 加签, 代理, 承办人): anyone signed in may search active people. */
export class PeopleQuery {
  @ApiPropertyOptional({ description: '姓名或用户名中的词' })
  @IsOptional()
  @IsString()
  @MaxLength(64, { message: '搜索词不能超过 64 个字符' })
  q?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('all', { message: 'unitId 须为单位编号（UUID）' })
  unitId?: string;

  @PageLimit(50, 20)
  limit = 20;
}

@ApiTags('org')
@ApiBearerAuth()
@Controller('org')
export class OrgController {
  constructor(private readonly org: OrgService) {}

  /** The unit tree is everyone's address book: documents are addressed to units by name. */
  @Get('units')
  units() {
    return this.org.unitTree();
  }

  @Get('units/:id')
  unit(@Param('id', uuidPipe) id: string) {
    return this.org.unit(id);
  }

  /** Active people by name or username, optionally of one unit: id, name, unit and title only. */
  @Get('people')
  people(@Query() query: PeopleQuery) {
    return this.org.people(query);
  }

  @Roles('sysadmin', 'secadmin')
  @Get('users')
  users(@Query() query: ListUsersQuery) {
    return this.org.listUsers(query);
  }

  @Get('users/:id')
  user(@CurrentUser() me: Principal, @Param('id', uuidPipe) id: string) {
    return this.org.user(me, id);
  }

  @Roles('sysadmin')
  @Post('users')
  createUser(@Body() dto: CreateUserDto) {
    return this.org.createUser(dto);
  }

  @Roles('secadmin')
  @Put('users/:id/roles')
  setRoles(@CurrentUser() me: Principal, @Param('id', uuidPipe) id: string, @Body() dto: SetRolesDto) {
    return this.org.setRoles(me, id, dto.roles);
  }

  /** 重置双因素: the person lost the authenticator; audited, their sessions end. */
  @Roles('secadmin')
  @Post('users/:id/reset-totp')
  @HttpCode(204)
  resetTotp(@CurrentUser() me: Principal, @Param('id', uuidPipe) id: string) {
    return this.org.resetTotp(me, id);
  }

  @Roles('secadmin')
  @Post('users/:id/unlock')
  @HttpCode(204)
  unlock(@Param('id', uuidPipe) id: string) {
    return this.org.unlock(id);
  }
}
