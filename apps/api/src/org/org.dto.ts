import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength, MinLength } from 'class-validator';
import { PageLimit, PageOffset } from '../platform/paging';
import { ROLES, type Role } from '@zhengwu/contracts';

export class ListUsersQuery {
  @ApiPropertyOptional({ enum: ROLES })
  @IsOptional()
  @IsIn(ROLES, { message: `角色须为以下之一：${ROLES.join(', ')}` })
  role?: Role;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('all', { message: 'unitId 须为单位编号（UUID）' })
  unitId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(64, { message: '搜索词不能超过 64 个字符' })
  q?: string;

  @PageLimit(500, 50)
  limit = 50;

  @PageOffset()
  offset = 0;
}

export class CreateUserDto {
  @ApiProperty()
  @Matches(/^[a-z0-9][a-z0-9._-]{1,63}$/, { message: '用户名须为 2-64 位小写字母、数字、点、下划线或连字符' })
  username!: string;

  @ApiProperty()
  @IsString()
  @MinLength(1, { message: '请输入姓名' })
  @MaxLength(64, { message: '姓名不能超过 64 个字符' })
  displayName!: string;

  @ApiProperty()
  @IsUUID('all', { message: '请选择单位' })
  unitId!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(64, { message: '职务不能超过 64 个字符' })
  title?: string;

  @ApiProperty({ description: '初始密码；首次登录须修改' })
  @IsString()
  @MaxLength(128, { message: '密码不能超过 128 个字符' })
  password!: string;
}

export class SetRolesDto {
  @ApiProperty({ enum: ROLES, isArray: true })
  @IsArray({ message: 'roles 须为角色数组' })
  @ArrayMaxSize(ROLES.length)
  @IsIn(ROLES, { each: true, message: `角色须为以下之一：${ROLES.join(', ')}` })
  roles!: Role[];
}
