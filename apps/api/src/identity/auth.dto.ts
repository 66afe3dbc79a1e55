import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

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
