import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../identity/decorators';
import type { Principal } from '../identity/principal';
import { AppError } from '../platform/errors';
import { CreateUserDto, ListUsersQuery, SetRolesDto } from './org.dto';
import { OrgService } from './org.service';

const uuidPipe = new ParseUUIDPipe({
  exceptionFactory: () => new AppError('VALIDATION_FAILED', '编号格式不正确（应为 UUID）', 400, [{ field: 'id', message: '应为 UUID' }]),
});

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

  @Roles('secadmin')
  @Post('users/:id/unlock')
  @HttpCode(204)
  unlock(@Param('id', uuidPipe) id: string) {
    return this.org.unlock(id);
  }
}
