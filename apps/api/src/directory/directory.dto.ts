import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, IsUUID, Matches, MaxLength, ValidateIf } from 'class-validator';

export class DirectoryQuery {
  @ApiPropertyOptional({ description: '只看此单位（含下级）' })
  @IsOptional()
  @IsUUID('all', { message: 'unitId 须为单位编号（UUID）' })
  unitId?: string;

  @ApiPropertyOptional({ description: '姓名、职务、电话中的词' })
  @IsOptional()
  @IsString()
  @MaxLength(64, { message: '搜索词不能超过 64 个字符' })
  q?: string;
}

/** Contact details a person keeps for themselves, or the system administrator for anyone. */
export class ContactDto {
  @ApiPropertyOptional({ description: '办公电话，如 010-66551234' })
  @IsOptional()
  @IsString()
  // Empty clears it.
  @Matches(/^$|^[0-9+()（） -]{3,32}$/, { message: '办公电话只能含数字、空格、+、-、括号，3–32 位' })
  officePhone?: string;

  @ApiPropertyOptional({ description: '电子邮箱（空串表示清除）' })
  @IsOptional()
  @ValidateIf((o: ContactDto) => o.email !== '')
  @IsEmail({}, { message: '电子邮箱格式不正确' })
  @MaxLength(254, { message: '电子邮箱过长' })
  email?: string;

  @ApiPropertyOptional({ description: '职务（仅系统管理员可改）' })
  @IsOptional()
  @IsString()
  @MaxLength(64, { message: '职务不能超过 64 个字' })
  title?: string;
}
