import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';

export class LoginDto {
  @ApiProperty({ example: 'admin' })
  @IsString({ message: '请输入用户名' })
  @MinLength(1, { message: '请输入用户名' })
  @MaxLength(64, { message: '用户名不能超过 64 个字符' })
  username!: string;

  @ApiProperty()
  @IsString({ message: '请输入密码' })
  @MinLength(1, { message: '请输入密码' })
  @MaxLength(128, { message: '密码不能超过 128 个字符' })
  password!: string;
}

export class ChangePasswordDto {
  @ApiProperty()
  @IsString({ message: '请输入原密码' })
  @MaxLength(128, { message: '密码不能超过 128 个字符' })
  currentPassword!: string;

  @ApiProperty()
  @IsString({ message: '请输入新密码' })
  @MaxLength(128, { message: '密码不能超过 128 个字符' })
  newPassword!: string;
}

export class SecondFactorDto {
  @ApiProperty({ description: '登录第一步返回的 challenge' })
  @IsString({ message: '缺少登录验证信息，请重新登录' })
  @MinLength(1, { message: '缺少登录验证信息，请重新登录' })
  @MaxLength(2048)
  challenge!: string;

  @ApiPropertyOptional({ description: '6 位动态口令', example: '123456' })
  @ValidateIf((dto: SecondFactorDto) => dto.recoveryCode === undefined)
  @IsString({ message: '请输入 6 位动态口令或恢复码' })
  @Matches(/^\s*\d{6}\s*$/, { message: '动态口令为 6 位数字' })
  code?: string;

  @ApiPropertyOptional({ description: '一次性恢复码（代替动态口令）' })
  @IsOptional()
  @IsString({ message: '恢复码格式不正确' })
  @MaxLength(64, { message: '恢复码格式不正确' })
  recoveryCode?: string;
}

export class BeginTotpDto {
  @ApiPropertyOptional({ description: '须绑定时登录第一步返回的 challenge；已登录时不填' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  challenge?: string;
}

export class ConfirmTotpDto extends BeginTotpDto {
  @ApiProperty({ description: '验证器显示的 6 位动态口令', example: '123456' })
  @IsString({ message: '请输入 6 位动态口令' })
  @Matches(/^\s*\d{6}\s*$/, { message: '动态口令为 6 位数字' })
  code!: string;
}
