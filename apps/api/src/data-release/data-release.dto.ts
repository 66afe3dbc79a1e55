import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { PageLimit, PageOffset } from '../platform/paging';

export const AUDIENCE_TYPES = ['社会公众', '政府部门', '行业用户', '特定单位'] as const;
export type AudienceType = (typeof AUDIENCE_TYPES)[number];
export const RELEASE_STATUSES = ['待审核', '待批准', '待发布', '已发布', '不予发布', '已终止'] as const;
export type ReleaseStatus = (typeof RELEASE_STATUSES)[number];
export const RELEASE_CHANNELS = ['门户网站', '数据共享平台', '政务外网', '其他'] as const;
export const ORGAN_KINDS = ['政府部门', '行业单位'] as const;
export const OUTSIDE_STATUSES = ['征求意见', '待拟复函', '复函办理中', '已答复', '已终止'] as const;
export type OutsideStatus = (typeof OUTSIDE_STATUSES)[number];
export const OPINIONS = ['同意提供', '部分提供', '不同意提供'] as const;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const PHONE = /^[0-9+\-() ]{7,20}$/;
const CODE = /^[A-Za-z0-9-]{1,32}$/;

/** 发布申请: a department asks to release one catalogue dataset in the ministry's name. */
export class CreateReleaseRequestDto {
  @ApiProperty({ description: '数据资源（数据目录中的编号）' })
  @IsUUID('all', { message: '请从数据目录中选择数据资源' })
  datasetId!: string;

  @ApiProperty({ enum: AUDIENCE_TYPES, description: '发布对象类别' })
  @IsIn(AUDIENCE_TYPES, { message: `发布对象类别须为：${AUDIENCE_TYPES.join('、')}` })
  audienceType!: AudienceType;

  @ApiProperty({ description: '发布对象（说明）' })
  @IsString({ message: '发布对象须为文字' })
  @MinLength(2, { message: '请填写发布对象（至少 2 个字）' })
  @MaxLength(200, { message: '发布对象不能超过 200 个字' })
  audience!: string;

  @ApiProperty({ description: '发布目的' })
  @IsString({ message: '发布目的须为文字' })
  @MinLength(5, { message: '请写明发布目的（至少 5 个字）' })
  @MaxLength(2000, { message: '发布目的不能超过 2000 个字' })
  purpose!: string;

  @ApiProperty({ description: '发布范围（区域、年度、字段等）' })
  @IsString({ message: '发布范围须为文字' })
  @MinLength(2, { message: '请填写发布范围（至少 2 个字）' })
  @MaxLength(500, { message: '发布范围不能超过 500 个字' })
  scope!: string;
}

export class ListReleaseRequestsQuery {
  @ApiPropertyOptional({ enum: RELEASE_STATUSES })
  @IsOptional()
  @IsIn(RELEASE_STATUSES, { message: `状态须为：${RELEASE_STATUSES.join('、')}` })
  status?: ReleaseStatus;

  @PageLimit(200, 20)
  limit = 20;

  @PageOffset()
  offset = 0;
}

export class ListReleasesQuery {
  @ApiPropertyOptional({ description: '只看该数据资源的发布' })
  @IsOptional()
  @IsUUID('all', { message: 'datasetId 须为数据资源编号' })
  datasetId?: string;

  @ApiPropertyOptional({ description: '数据资源名称、发布对象或范围中的词' })
  @IsOptional()
  @IsString()
  @MaxLength(64, { message: '搜索词不能超过 64 个字符' })
  keyword?: string;

  @PageLimit(200, 20)
  limit = 20;

  @PageOffset()
  offset = 0;
}

/** 信息办 registers a request that came from another government department or an industry. */
export class CreateOutsideRequestDto {
  @ApiProperty({ description: '来函单位' })
  @IsString({ message: '来函单位须为文字' })
  @MinLength(2, { message: '请填写来函单位' })
  @MaxLength(100, { message: '来函单位不能超过 100 个字' })
  organName!: string;

  @ApiProperty({ enum: ORGAN_KINDS })
  @IsIn(ORGAN_KINDS, { message: `来函单位类别须为：${ORGAN_KINDS.join('、')}` })
  organKind!: (typeof ORGAN_KINDS)[number];

  @ApiProperty()
  @IsString({ message: '联系人须为文字' })
  @MinLength(2, { message: '请填写联系人姓名' })
  @MaxLength(32, { message: '联系人不能超过 32 个字' })
  contactName!: string;

  @ApiProperty()
  @IsString({ message: '联系电话须为文字' })
  @Matches(PHONE, { message: '联系电话须为 7-20 位数字（可含 - + 括号和空格）' })
  contactPhone!: string;

  @ApiProperty({ description: '来函文号' })
  @IsString({ message: '来函文号须为文字' })
  @MinLength(2, { message: '请填写来函文号' })
  @MaxLength(100, { message: '来函文号不能超过 100 个字' })
  letterRef!: string;

  @ApiProperty({ description: '收文日期 YYYY-MM-DD' })
  @Matches(DATE, { message: '收文日期须为日期（YYYY-MM-DD）' })
  receivedOn!: string;

  @ApiProperty({ description: '需求用途' })
  @IsString({ message: '用途须为文字' })
  @MinLength(5, { message: '请写明数据用途（至少 5 个字）' })
  @MaxLength(2000, { message: '用途不能超过 2000 个字' })
  purpose!: string;

  @ApiProperty({ type: [String], description: '所需数据资源（数据目录中的编号）' })
  @IsArray({ message: '数据资源须为列表' })
  @ArrayMinSize(1, { message: '请至少选择一项数据资源' })
  @ArrayMaxSize(20, { message: '一次最多 20 项数据资源' })
  @ArrayUnique({ message: '数据资源有重复' })
  @IsUUID('all', { each: true, message: '数据资源须为目录中的编号' })
  datasetIds!: string[];

  @ApiPropertyOptional({ description: '来函单位是公文交换方时：其机构代码' })
  @IsOptional()
  @Matches(CODE, { message: '交换方机构代码为 1–32 位字母、数字或连字符' })
  partnerOrganCode?: string;

  @ApiPropertyOptional({ description: '来函单位在交换方系统中的单位代码' })
  @IsOptional()
  @Matches(CODE, { message: '对方单位代码为 1–32 位字母、数字或连字符' })
  partnerUnitCode?: string;
}

/** 拟复函: the 函's title and text; it is drafted as a 函 of 信息办 and runs through 公文 (核稿, 签发, 分发). */
export class ReplyDto {
  @ApiProperty({ description: '复函标题' })
  @IsString({ message: '标题须为文字' })
  @MinLength(2, { message: '请填写复函标题（至少 2 个字）' })
  @MaxLength(200, { message: '标题不能超过 200 个字' })
  title!: string;

  @ApiProperty({ description: '复函正文' })
  @IsString({ message: '正文须为文字' })
  @MinLength(10, { message: '请填写复函正文（至少 10 个字）' })
  @MaxLength(20_000, { message: '正文不能超过 2 万字' })
  body!: string;
}

export class ListOutsideRequestsQuery {
  @ApiPropertyOptional({ enum: OUTSIDE_STATUSES })
  @IsOptional()
  @IsIn(OUTSIDE_STATUSES, { message: `状态须为：${OUTSIDE_STATUSES.join('、')}` })
  status?: OutsideStatus;

  @PageLimit(200, 20)
  limit = 20;

  @PageOffset()
  offset = 0;
}
