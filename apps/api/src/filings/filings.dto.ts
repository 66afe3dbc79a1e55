import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { PageLimit, PageOffset } from '../platform/paging';

export const FILING_KINDS = ['信息化规划', '重大项目方案'] as const;
export type FilingKind = (typeof FILING_KINDS)[number];

export const FILING_STATUSES = ['草稿', '待审核', '待登记', '需补正', '已备案', '已终止'] as const;
export type FilingStatus = (typeof FILING_STATUSES)[number];

const PHONE = /^[0-9+\-() ]{7,20}$/;

export class CreateFilingDto {
  @ApiProperty({ enum: FILING_KINDS })
  @IsIn(FILING_KINDS, { message: `备案类别须为：${FILING_KINDS.join('、')}` })
  kind!: FilingKind;

  @ApiProperty({ example: '江苏省国土资源“十五五”信息化发展规划' })
  @IsString({ message: '请填写标题' })
  @MinLength(4, { message: '标题至少 4 个字' })
  @MaxLength(200, { message: '标题不能超过 200 个字' })
  title!: string;

  @ApiProperty({ example: 2026, description: '规划期起始年' })
  @Type(() => Number)
  @IsInt({ message: '起始年须为整数年份' })
  @Min(2000, { message: '起始年不早于 2000 年' })
  @Max(2100, { message: '起始年不晚于 2100 年' })
  periodStart!: number;

  @ApiProperty({ example: 2030, description: '规划期终止年（含），不早于起始年，跨度不超过 10 年' })
  @Type(() => Number)
  @IsInt({ message: '终止年须为整数年份' })
  @Min(2000, { message: '终止年不早于 2000 年' })
  @Max(2100, { message: '终止年不晚于 2100 年' })
  periodEnd!: number;

  @ApiProperty({ description: '内容摘要' })
  @IsString({ message: '请填写内容摘要' })
  @MinLength(10, { message: '内容摘要至少 10 个字' })
  @MaxLength(2000, { message: '内容摘要不能超过 2000 个字' })
  summary!: string;

  @ApiProperty({ description: '规划或方案正文' })
  @IsString({ message: '请填写正文' })
  @MinLength(10, { message: '正文至少 10 个字' })
  @MaxLength(100000, { message: '正文不能超过 10 万字' })
  content!: string;

  @ApiProperty()
  @IsString({ message: '请填写联系人' })
  @MinLength(2, { message: '请填写联系人姓名' })
  @MaxLength(32, { message: '联系人不能超过 32 个字' })
  contactName!: string;

  @ApiProperty({ example: '025-86658000' })
  @IsString({ message: '请填写联系电话' })
  @Matches(PHONE, { message: '联系电话须为 7-20 位数字（可含 - + 括号和空格）' })
  contactPhone!: string;
}

/** 补正: the filing unit changes any of the fields while the filing is 草稿 or 需补正. */
export class UpdateFilingDto {
  @ApiPropertyOptional({ enum: FILING_KINDS })
  @IsOptional()
  @IsIn(FILING_KINDS, { message: `备案类别须为：${FILING_KINDS.join('、')}` })
  kind?: FilingKind;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: '标题须为文字' })
  @MinLength(4, { message: '标题至少 4 个字' })
  @MaxLength(200, { message: '标题不能超过 200 个字' })
  title?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: '起始年须为整数年份' })
  @Min(2000, { message: '起始年不早于 2000 年' })
  @Max(2100, { message: '起始年不晚于 2100 年' })
  periodStart?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: '终止年须为整数年份' })
  @Min(2000, { message: '终止年不早于 2000 年' })
  @Max(2100, { message: '终止年不晚于 2100 年' })
  periodEnd?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: '内容摘要须为文字' })
  @MinLength(10, { message: '内容摘要至少 10 个字' })
  @MaxLength(2000, { message: '内容摘要不能超过 2000 个字' })
  summary?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: '正文须为文字' })
  @MinLength(10, { message: '正文至少 10 个字' })
  @MaxLength(100000, { message: '正文不能超过 10 万字' })
  content?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: '联系人须为文字' })
  @MinLength(2, { message: '请填写联系人姓名' })
  @MaxLength(32, { message: '联系人不能超过 32 个字' })
  contactName?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: '联系电话须为文字' })
  @Matches(PHONE, { message: '联系电话须为 7-20 位数字（可含 - + 括号和空格）' })
  contactPhone?: string;
}

export class SubmitFilingDto {
  @ApiPropertyOptional({ description: '报送说明或补正说明' })
  @IsOptional()
  @IsString({ message: '说明须为文字' })
  @MaxLength(2000, { message: '说明不能超过 2000 个字' })
  comment?: string;
}

export class ListFilingsQuery {
  @ApiPropertyOptional({ enum: FILING_STATUSES })
  @IsOptional()
  @IsIn(FILING_STATUSES, { message: `状态须为：${FILING_STATUSES.join('、')}` })
  status?: FilingStatus;

  @ApiPropertyOptional({ enum: FILING_KINDS })
  @IsOptional()
  @IsIn(FILING_KINDS, { message: `备案类别须为：${FILING_KINDS.join('、')}` })
  kind?: FilingKind;

  @ApiPropertyOptional({ description: '备案年度（已备案的按备案号年度，其余按填报年度）' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'year 须为整数年份' })
  @Min(2000, { message: 'year 不早于 2000' })
  @Max(2100, { message: 'year 不晚于 2100' })
  year?: number;

  @ApiPropertyOptional({ description: '标题、备案号或报送单位中的词' })
  @IsOptional()
  @IsString()
  @MaxLength(64, { message: '搜索词不能超过 64 个字符' })
  keyword?: string;

  @PageLimit(200, 20)
  limit = 20;

  @PageOffset()
  offset = 0;
}
