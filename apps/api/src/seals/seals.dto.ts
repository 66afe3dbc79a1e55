import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { IsBase64, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';

export class CreateSealDto {
  @ApiPropertyOptional({ description: '印章名称（沿圆弧排列的单位名称）；不填则用本单位的发文机关署名' })
  @IsOptional()
  @IsString({ message: '印章名称须为文字' })
  @MinLength(2, { message: '印章名称至少 2 个字' })
  @MaxLength(30, { message: '印章名称不能超过 30 个字' })
  name?: string;

  @ApiPropertyOptional({ description: '星下横排文字，如“公文专用章”' })
  @IsOptional()
  @IsString({ message: '横排文字须为文字' })
  @MaxLength(8, { message: '横排文字不能超过 8 个字' })
  label?: string;

  @ApiPropertyOptional({ description: '有效年限（1–10 年，默认 5 年）' })
  @IsOptional()
  @IsInt({ message: '有效年限须为整数' })
  @Min(1, { message: '有效年限至少 1 年' })
  @Max(10, { message: '有效年限不能超过 10 年' })
  validYears?: number;

  @ApiPropertyOptional({ description: '上传的印章图片（透明背景 PNG，Base64）；不填则按名称绘制圆形红章' })
  @IsOptional()
  @IsBase64({}, { message: '印章图片须为 Base64 编码的 PNG' })
  @MaxLength(1_400_000, { message: '印章图片不能超过 1 MB' })
  imagePng?: string;
}

export class SealPreviewDto {
  @ApiProperty({ description: '印章名称' })
  @IsString({ message: '印章名称须为文字' })
  @MinLength(2, { message: '印章名称至少 2 个字' })
  @MaxLength(30, { message: '印章名称不能超过 30 个字' })
  name!: string;

  @ApiPropertyOptional({ description: '星下横排文字' })
  @IsOptional()
  @IsString({ message: '横排文字须为文字' })
  @MaxLength(8, { message: '横排文字不能超过 8 个字' })
  label?: string;
}

export class RevokeSealDto {
  @ApiProperty({ description: '停用原因' })
  @IsString({ message: '停用原因须为文字' })
  @MinLength(2, { message: '请填写停用原因' })
  @MaxLength(200, { message: '停用原因不能超过 200 个字' })
  reason!: string;
}
