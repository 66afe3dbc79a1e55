import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { PageLimit, PageOffset } from '../platform/paging';

export const FORMATS = ['Shapefile', 'FileGDB', 'GeoJSON', 'CSV'] as const;
export type CollectionFormat = (typeof FORMATS)[number];
export const LEVELS = ['province', 'city', 'county'] as const;
export type CollectionLevel = (typeof LEVELS)[number];
export const SUBMISSION_STATUSES = ['待提交', '待检查', '检查未通过', '待审核', '已退回', '已通过'] as const;
export type SubmissionStatus = (typeof SUBMISSION_STATUSES)[number];
export type ListStatus = '待审批' | '退回修改' | '已批准' | '已下发' | '已通报';

const DIVISION = /^\d{6}$/;

/** One dataset of the 汇交清单: what is submitted, in which format and 坐标系, by when, and by whom. */
export class CollectionItemDto {
  @ApiProperty({ example: 'HJ-TDLY', description: '数据编码（入数据目录时的编码）' })
  @IsString({ message: '数据编码须为文字' })
  @Matches(/^[A-Z][A-Z0-9-]{1,31}$/, { message: '数据编码须为大写字母开头的 2–32 位大写字母、数字或“-”' })
  code!: string;

  @ApiProperty({ description: '数据名称' })
  @IsString({ message: '数据名称须为文字' })
  @MinLength(2, { message: '数据名称至少 2 个字' })
  @MaxLength(100, { message: '数据名称不能超过 100 个字' })
  name!: string;

  @ApiProperty({ description: '数据种类（如 土地利用现状、矿业权）' })
  @IsString({ message: '数据种类须为文字' })
  @MinLength(2, { message: '数据种类至少 2 个字' })
  @MaxLength(50, { message: '数据种类不能超过 50 个字' })
  kind!: string;

  @ApiProperty({ enum: FORMATS, description: '数据格式' })
  @IsIn(FORMATS, { message: `数据格式须为 ${FORMATS.join('、')} 之一` })
  format!: CollectionFormat;

  @ApiProperty({ example: 'CGCS2000', description: '坐标系' })
  @IsString({ message: '坐标系须为文字' })
  @MinLength(2, { message: '请填写坐标系' })
  @MaxLength(50, { message: '坐标系不能超过 50 个字' })
  coordinateSystem!: string;

  @ApiProperty({ description: '单个文件大小上限（MB）' })
  @Type(() => Number)
  @IsInt({ message: '文件大小上限须为整数（MB）' })
  @Min(1, { message: '文件大小上限至少 1 MB' })
  @Max(102_400, { message: '文件大小上限不能超过 100 GB' })
  maxSizeMb!: number;

  @ApiProperty({ description: '自下发之日起 N 个工作日内汇交（按节假日安排计算）' })
  @Type(() => Number)
  @IsInt({ message: '汇交期限须为整数（工作日）' })
  @Min(1, { message: '汇交期限至少 1 个工作日' })
  @Max(250, { message: '汇交期限不能超过 250 个工作日' })
  dueWorkingDays!: number;

  @ApiProperty({ enum: LEVELS, isArray: true, description: '汇交层级：province 省级、city 市级、county 县级' })
  @IsArray({ message: '汇交层级须为列表' })
  @ArrayMinSize(1, { message: '请至少选择一个汇交层级' })
  @ArrayUnique({ message: '汇交层级有重复' })
  @IsIn(LEVELS, { each: true, message: '汇交层级须为 province、city、county' })
  levels!: CollectionLevel[];

  @ApiProperty({ type: [String], example: ['320000', '330000'], description: '汇交地区（行政区划代码，含其下级）' })
  @IsArray({ message: '汇交地区须为行政区划代码列表' })
  @ArrayMinSize(1, { message: '请至少选择一个汇交地区' })
  @ArrayMaxSize(40, { message: '汇交地区不能超过 40 个' })
  @ArrayUnique({ message: '汇交地区有重复' })
  @Matches(DIVISION, { each: true, message: '汇交地区须为 6 位行政区划代码' })
  regions!: string[];

  @ApiPropertyOptional({ enum: ['公开', '内部'], default: '内部', description: '入目录后的密级（涉密数据不在平台汇交）' })
  @IsOptional()
  @IsIn(['公开', '内部'], { message: '密级须为 公开 或 内部（涉密数据不在平台汇交）' })
  secrecy?: '公开' | '内部';
}

export class CreateListDto {
  @ApiProperty({ example: 2026, description: '年度' })
  @Type(() => Number)
  @IsInt({ message: '年度须为整数' })
  @Min(2000, { message: '年度不正确' })
  @Max(2100, { message: '年度不正确' })
  year!: number;

  @ApiProperty({ description: '清单标题' })
  @IsString({ message: '标题须为文字' })
  @MinLength(2, { message: '请填写标题（至少 2 个字）' })
  @MaxLength(200, { message: '标题不能超过 200 个字' })
  title!: string;

  @ApiProperty({ type: [CollectionItemDto], description: '汇交数据' })
  @IsArray({ message: '汇交数据须为列表' })
  @ArrayMinSize(1, { message: '请至少列出一项汇交数据' })
  @ArrayMaxSize(50, { message: '汇交数据不能超过 50 项' })
  @ValidateNested({ each: true })
  @Type(() => CollectionItemDto)
  items!: CollectionItemDto[];
}

export class DecideDto {
  @ApiProperty({ enum: ['approve', 'return'] })
  @IsIn(['approve', 'return'], { message: 'outcome 须为 approve（同意/通过）或 return（退回）' })
  outcome!: 'approve' | 'return';

  @ApiPropertyOptional({ description: '意见；退回时必填（退回原因）' })
  @IsOptional()
  @IsString({ message: '意见须为文字' })
  @MaxLength(1000, { message: '意见不能超过 1000 个字' })
  comment?: string;
}

/** What the submitting unit states about its data. */
export class SubmissionInfoDto {
  @ApiProperty({ description: '责任单位（生产、更新数据的单位）' })
  @IsString({ message: '责任单位须为文字' })
  @MinLength(2, { message: '请填写责任单位' })
  @MaxLength(100, { message: '责任单位不能超过 100 个字' })
  responsibleUnit!: string;

  @ApiProperty({ description: '联系人' })
  @IsString({ message: '联系人须为文字' })
  @MinLength(2, { message: '请填写联系人' })
  @MaxLength(30, { message: '联系人不能超过 30 个字' })
  contactName!: string;

  @ApiProperty({ description: '联系电话' })
  @IsString({ message: '联系电话须为文字' })
  @Matches(/^[0-9+\-() ]{5,30}$/, { message: '联系电话格式不正确' })
  contactPhone!: string;

  @ApiProperty({ example: '2026.1', description: '数据版本' })
  @IsString({ message: '数据版本须为文字' })
  @MinLength(1, { message: '请填写数据版本' })
  @MaxLength(30, { message: '数据版本不能超过 30 个字' })
  version!: string;

  @ApiProperty({ example: '320000', description: '覆盖范围的行政区划代码' })
  @IsString({ message: '行政区划代码须为文字' })
  @Matches(DIVISION, { message: '行政区划代码须为 6 位数字' })
  areaCode!: string;

  @ApiProperty({ example: '江苏省', description: '覆盖范围名称' })
  @IsString({ message: '覆盖范围须为文字' })
  @MinLength(2, { message: '请填写覆盖范围' })
  @MaxLength(100, { message: '覆盖范围不能超过 100 个字' })
  areaName!: string;
}

export class CreateUploadDto {
  @ApiProperty({ description: '文件名' })
  @IsString({ message: '文件名须为文字' })
  @MinLength(1, { message: '请填写文件名' })
  @MaxLength(200, { message: '文件名不能超过 200 个字' })
  name!: string;

  @ApiProperty({ description: '文件总字节数' })
  @Type(() => Number)
  @IsInt({ message: '文件大小须为整数（字节）' })
  @Min(1, { message: '文件是空的' })
  @Max(Number.MAX_SAFE_INTEGER, { message: '文件过大' })
  length!: number;
}

export class ListSubmissionsQuery {
  @ApiPropertyOptional({ description: '汇交清单' })
  @IsOptional()
  @IsUUID('all', { message: 'listId 格式不正确' })
  listId?: string;

  @ApiPropertyOptional({ enum: SUBMISSION_STATUSES })
  @IsOptional()
  @IsIn(SUBMISSION_STATUSES, { message: `状态须为 ${SUBMISSION_STATUSES.join('、')} 之一` })
  status?: SubmissionStatus;

  @PageLimit(500, 50)
  limit = 50;

  @PageOffset()
  offset = 0;
}

export class ListListsQuery {
  @PageLimit(500, 50)
  limit = 50;

  @PageOffset()
  offset = 0;
}
