import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateNested } from 'class-validator';

const CODE = /^[A-Za-z0-9-]{1,32}$/;

export class CreatePartnerDto {
  @ApiProperty({ description: '交换方机构代码（对方的 EXCHANGE_ORGAN_CODE）' })
  @IsString({ message: '机构代码须为文字' })
  @Matches(CODE, { message: '机构代码为 1–32 位字母、数字或连字符' })
  organCode!: string;

  @ApiProperty({ description: '交换方名称' })
  @IsString({ message: '名称须为文字' })
  @MinLength(1, { message: '请填写交换方名称' })
  @MaxLength(100, { message: '名称不能超过 100 个字' })
  name!: string;

  @ApiProperty({ description: '交换方系统地址，如 https://oa.example.gov.cn' })
  @IsString({ message: '地址须为文字' })
  @Matches(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, { message: '地址须以 http:// 或 https:// 开头' })
  @MaxLength(300, { message: '地址过长' })
  baseUrl!: string;

  @ApiProperty({ description: '交换方根证书（PEM，对方 /api/seals/ca.crt）' })
  @IsString({ message: '根证书须为 PEM 文本' })
  @MaxLength(20_000, { message: '根证书过长' })
  caCertificate!: string;
}

export class PartnerRecipientDto {
  @ApiProperty({ description: '交换方机构代码' })
  @IsString()
  @Matches(CODE, { message: '机构代码为 1–32 位字母、数字或连字符' })
  organCode!: string;

  @ApiProperty({ description: '对方单位代码' })
  @IsString()
  @Matches(CODE, { message: '单位代码为 1–32 位字母、数字或连字符' })
  unitCode!: string;

  @ApiProperty({ description: '对方单位名称（发文中显示）' })
  @IsString()
  @MinLength(1, { message: '请填写单位名称' })
  @MaxLength(100, { message: '单位名称不能超过 100 个字' })
  unitName!: string;

  @ApiProperty({ enum: ['主送', '抄送'] })
  @IsIn(['主送', '抄送'], { message: '送达方式须为主送或抄送' })
  kind!: '主送' | '抄送';
}

export class SetPartnerRecipientsDto {
  @ApiProperty({ type: [PartnerRecipientDto] })
  @IsArray()
  @ArrayMaxSize(100, { message: '外部收文单位不能超过 100 个' })
  @ValidateNested({ each: true })
  @Type(() => PartnerRecipientDto)
  recipients!: PartnerRecipientDto[];
}

export class RefuseIncomingDto {
  @ApiPropertyOptional({ description: '退文理由' })
  @IsOptional()
  @IsString()
  @MaxLength(500, { message: '退文理由不能超过 500 个字' })
  reason?: string;
}
