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

export const DATA_FORMATS = ['Shapefile', 'FileGDB', 'GeoPackage', 'GeoTIFF', 'CSV', 'Excel', 'PDF', '在线服务'] as const;
export type DataFormat = (typeof DATA_FORMATS)[number];

export const DATA_REQUEST_STATUSES = [
  '待签批',
  '待审核',
  '待会商',
  '待提供',
  '待确认',
  '已完成',
  '退回修改',
  '不予提供',
  '已终止',
] as const;
export type DataRequestStatus = (typeof DATA_REQUEST_STATUSES)[number];

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const PHONE = /^[0-9+\-() ]{7,20}$/;

export class CreateDataRequestDto {
  @ApiProperty({ example: '关于申请使用土地利用现状数据的函' })
  @IsString({ message: '请填写申请标题' })
  @MinLength(4, { message: '申请标题至少 4 个字' })
  @MaxLength(200, { message: '申请标题不能超过 200 个字' })
  title!: string;

  @ApiProperty({ description: '申请的数据资源（目录中的编号），一项或多项' })
  @IsArray({ message: '请选择数据资源' })
  @ArrayMinSize(1, { message: '至少选择一项数据资源' })
  @ArrayMaxSize(10, { message: '一次最多申请 10 项数据资源' })
  @ArrayUnique({ message: '数据资源不能重复' })
  @IsUUID('all', { each: true, message: '数据资源须为目录中的编号' })
  datasetIds!: string[];

  @ApiPropertyOptional({ example: '320000', description: '行政区划代码' })
  @IsOptional()
  @Matches(/^[1-8]\d{5}$/, { message: '行政区划代码须为 6 位数字' })
  regionCode?: string;

  @ApiProperty({ example: '江苏省' })
  @IsString({ message: '请填写数据范围（行政区）' })
  @MinLength(2, { message: '请填写数据范围（行政区）' })
  @MaxLength(100, { message: '数据范围不能超过 100 个字' })
  regionName!: string;

  @ApiProperty({ description: '用途' })
  @IsString({ message: '请填写用途' })
  @MinLength(10, { message: '请具体说明用途（至少 10 个字）' })
  @MaxLength(2000, { message: '用途不能超过 2000 个字' })
  purpose!: string;

  @ApiProperty({ example: '2026-01-01', description: '使用期限起' })
  @Matches(DATE, { message: '使用期限起须为日期（YYYY-MM-DD）' })
  periodFrom!: string;

  @ApiProperty({ example: '2026-12-31', description: '使用期限止（含）' })
  @Matches(DATE, { message: '使用期限止须为日期（YYYY-MM-DD）' })
  periodTo!: string;

  @ApiProperty({ enum: DATA_FORMATS })
  @IsIn(DATA_FORMATS, { message: `数据格式须为：${DATA_FORMATS.join('、')}` })
  format!: DataFormat;

  @ApiProperty()
  @IsString({ message: '请填写联系人' })
  @MinLength(2, { message: '请填写联系人姓名' })
  @MaxLength(32, { message: '联系人不能超过 32 个字' })
  contactName!: string;

  @ApiProperty()
  @IsString({ message: '请填写联系电话' })
  @Matches(PHONE, { message: '联系电话须为 7-20 位数字（可含 - + 括号和空格）' })
  contactPhone!: string;
}

/** Changing a request after it was returned (退回修改); fields left out stay as they are. */
export class UpdateDataRequestDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: '申请标题须为文字' })
  @MinLength(4, { message: '申请标题至少 4 个字' })
  @MaxLength(200, { message: '申请标题不能超过 200 个字' })
  title?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsArray({ message: '请选择数据资源' })
  @ArrayMinSize(1, { message: '至少选择一项数据资源' })
  @ArrayMaxSize(10, { message: '一次最多申请 10 项数据资源' })
  @ArrayUnique({ message: '数据资源不能重复' })
  @IsUUID('all', { each: true, message: '数据资源须为目录中的编号' })
  datasetIds?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^[1-8]\d{5}$/, { message: '行政区划代码须为 6 位数字' })
  regionCode?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: '数据范围须为文字' })
  @MinLength(2, { message: '请填写数据范围（行政区）' })
  @MaxLength(100, { message: '数据范围不能超过 100 个字' })
  regionName?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: '用途须为文字' })
  @MinLength(10, { message: '请具体说明用途（至少 10 个字）' })
  @MaxLength(2000, { message: '用途不能超过 2000 个字' })
  purpose?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(DATE, { message: '使用期限起须为日期（YYYY-MM-DD）' })
  periodFrom?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(DATE, { message: '使用期限止须为日期（YYYY-MM-DD）' })
  periodTo?: string;

  @ApiPropertyOptional({ enum: DATA_FORMATS })
  @IsOptional()
  @IsIn(DATA_FORMATS, { message: `数据格式须为：${DATA_FORMATS.join('、')}` })
  format?: DataFormat;

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

export class CommentDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: '说明须为文字' })
  @MaxLength(2000, { message: '说明不能超过 2000 个字' })
  comment?: string;
}

export class ListDataRequestsQuery {
  @ApiPropertyOptional({ enum: DATA_REQUEST_STATUSES })
  @IsOptional()
  @IsIn(DATA_REQUEST_STATUSES, { message: `状态须为：${DATA_REQUEST_STATUSES.join('、')}` })
  status?: DataRequestStatus;

  @ApiPropertyOptional({ description: '只看申请了该数据资源的' })
  @IsOptional()
  @IsUUID('all', { message: 'datasetId 须为数据资源编号' })
  datasetId?: string;

  @ApiPropertyOptional({ description: '标题、用途、数据范围或申请单位中的词' })
  @IsOptional()
  @IsString()
  @MaxLength(64, { message: '搜索词不能超过 64 个字符' })
  keyword?: string;

  @PageLimit(200, 20)
  limit = 20;

  @PageOffset()
  offset = 0;
}
