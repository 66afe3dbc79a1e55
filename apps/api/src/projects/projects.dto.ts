import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsDateString, IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength } from 'class-validator';
import { PageLimit, PageOffset } from '../platform/paging';
import { IsDecimal } from '../platform/validation';

export const PROJECT_CATEGORIES = ['数据采集及建库', '系统开发和运行维护', '数据共享服务', '网络建设'] as const;
export type ProjectCategory = (typeof PROJECT_CATEGORIES)[number];

/** 已撤回 is where a returned proposal ends when its submitter gives it up. */
export const PROJECT_STATUSES = ['申报中', '已立项', '不予立项', '已撤回', '在建', '已建成'] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

/** Lifecycle changes after 立项 that POST /projects/:id/status may make. */
export const LIFECYCLE_STATUSES = ['在建', '已建成'] as const;

export const SYSTEM_LEVELS = ['部级', '省级', '市级', '县级'] as const;
export type SystemLevel = (typeof SYSTEM_LEVELS)[number];
export const SYSTEM_STATUSES = ['运行', '停用'] as const;

/** 万元; ten 亿元 is beyond any single informatization project of a department. */
export const MAX_BUDGET = 100000;

export class SubmitProjectDto {
  @ApiProperty({ description: '项目名称' })
  @IsString({ message: '项目名称须为文字' })
  @MinLength(2, { message: '项目名称至少 2 个字' })
  @MaxLength(100, { message: '项目名称不能超过 100 个字' })
  name!: string;

  @ApiProperty({ enum: PROJECT_CATEGORIES })
  @IsIn(PROJECT_CATEGORIES, { message: `项目类别须为以下之一：${PROJECT_CATEGORIES.join('、')}` })
  category!: ProjectCategory;

  @ApiProperty({ description: '预算（万元）' })
  @IsDecimal(2, { message: '预算须为数字（万元，最多两位小数）' })
  @Min(0.01, { message: '预算须大于 0' })
  @Max(MAX_BUDGET, { message: `预算不能超过 ${MAX_BUDGET} 万元` })
  budget!: number;

  @ApiProperty({ description: '建设起始年度' })
  @IsInt({ message: '起始年度须为整数年份' })
  @Min(2000, { message: '起始年度不能早于 2000 年' })
  @Max(2100, { message: '起始年度不能晚于 2100 年' })
  startYear!: number;

  @ApiProperty({ description: '建设结束年度' })
  @IsInt({ message: '结束年度须为整数年份' })
  @Min(2000, { message: '结束年度不能早于 2000 年' })
  @Max(2100, { message: '结束年度不能晚于 2100 年' })
  endYear!: number;

  @ApiProperty({ description: '建设内容' })
  @IsString({ message: '建设内容须为文字' })
  @MinLength(10, { message: '建设内容至少 10 个字，请说明建设目标和主要内容' })
  @MaxLength(5000, { message: '建设内容不能超过 5000 个字' })
  content!: string;

  @ApiProperty({ description: '是否政务管理类项目（由信息中心负责实施）' })
  @IsBoolean({ message: '是否政务管理类项目须为 true 或 false' })
  isGovernmentAffairs!: boolean;
}

export class CorrectProjectDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: '项目名称须为文字' })
  @MinLength(2, { message: '项目名称至少 2 个字' })
  @MaxLength(100, { message: '项目名称不能超过 100 个字' })
  name?: string;

  @ApiPropertyOptional({ enum: PROJECT_CATEGORIES })
  @IsOptional()
  @IsIn(PROJECT_CATEGORIES, { message: `项目类别须为以下之一：${PROJECT_CATEGORIES.join('、')}` })
  category?: ProjectCategory;

  @ApiPropertyOptional()
  @IsOptional()
  @IsDecimal(2, { message: '预算须为数字（万元，最多两位小数）' })
  @Min(0.01, { message: '预算须大于 0' })
  @Max(MAX_BUDGET, { message: `预算不能超过 ${MAX_BUDGET} 万元` })
  budget?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt({ message: '起始年度须为整数年份' })
  @Min(2000, { message: '起始年度不能早于 2000 年' })
  @Max(2100, { message: '起始年度不能晚于 2100 年' })
  startYear?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt({ message: '结束年度须为整数年份' })
  @Min(2000, { message: '结束年度不能早于 2000 年' })
  @Max(2100, { message: '结束年度不能晚于 2100 年' })
  endYear?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: '建设内容须为文字' })
  @MinLength(10, { message: '建设内容至少 10 个字，请说明建设目标和主要内容' })
  @MaxLength(5000, { message: '建设内容不能超过 5000 个字' })
  content?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean({ message: '是否政务管理类项目须为 true 或 false' })
  isGovernmentAffairs?: boolean;

  @ApiPropertyOptional({ description: '修改说明（重新提交时作为意见）' })
  @IsOptional()
  @IsString({ message: '修改说明须为文字' })
  @MaxLength(2000, { message: '修改说明不能超过 2000 个字' })
  comment?: string;
}

export class ChangeProjectStatusDto {
  @ApiProperty({ enum: LIFECYCLE_STATUSES })
  @IsIn(LIFECYCLE_STATUSES, { message: `状态须为以下之一：${LIFECYCLE_STATUSES.join('、')}` })
  status!: (typeof LIFECYCLE_STATUSES)[number];

  @ApiProperty({ description: '变更原因' })
  @IsString({ message: '变更原因须为文字' })
  @MinLength(2, { message: '请填写变更原因' })
  @MaxLength(2000, { message: '变更原因不能超过 2000 个字' })
  reason!: string;
}

class PageQuery {
  @PageLimit(200, 20)
  limit = 20;

  @PageOffset()
  offset = 0;

  @ApiPropertyOptional({ description: '关键词' })
  @IsOptional()
  @IsString()
  @MaxLength(64, { message: '关键词不能超过 64 个字符' })
  keyword?: string;

  @ApiPropertyOptional({ description: '单位（含下级）' })
  @IsOptional()
  @IsUUID('all', { message: 'unitId 须为单位编号（UUID）' })
  unitId?: string;
}

export class ListProjectsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: PROJECT_STATUSES })
  @IsOptional()
  @IsIn(PROJECT_STATUSES, { message: `状态须为以下之一：${PROJECT_STATUSES.join('、')}` })
  status?: ProjectStatus;

  @ApiPropertyOptional({ enum: PROJECT_CATEGORIES })
  @IsOptional()
  @IsIn(PROJECT_CATEGORIES, { message: `项目类别须为以下之一：${PROJECT_CATEGORIES.join('、')}` })
  category?: ProjectCategory;

  @ApiPropertyOptional({ description: '建设期覆盖的年度' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: '年度须为整数年份' })
  @Min(2000, { message: '年度不能早于 2000 年' })
  @Max(2100, { message: '年度不能晚于 2100 年' })
  year?: number;
}

export class ListSystemsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: SYSTEM_LEVELS })
  @IsOptional()
  @IsIn(SYSTEM_LEVELS, { message: `部署层级须为以下之一：${SYSTEM_LEVELS.join('、')}` })
  level?: SystemLevel;

  @ApiPropertyOptional({ enum: SYSTEM_STATUSES })
  @IsOptional()
  @IsIn(SYSTEM_STATUSES, { message: '运行状态须为 运行 或 停用' })
  status?: (typeof SYSTEM_STATUSES)[number];

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('all', { message: 'projectId 须为项目编号（UUID）' })
  projectId?: string;
}

export class CreateSystemDto {
  @ApiProperty({ description: '系统名称' })
  @IsString({ message: '系统名称须为文字' })
  @MinLength(2, { message: '系统名称至少 2 个字' })
  @MaxLength(100, { message: '系统名称不能超过 100 个字' })
  name!: string;

  @ApiPropertyOptional({ description: '来源项目（已立项）' })
  @IsOptional()
  @IsUUID('all', { message: 'projectId 须为项目编号（UUID）' })
  projectId?: string;

  @ApiProperty({ description: '部署单位' })
  @IsUUID('all', { message: '请选择部署单位' })
  unitId!: string;

  @ApiProperty({ enum: SYSTEM_LEVELS })
  @IsIn(SYSTEM_LEVELS, { message: `部署层级须为以下之一：${SYSTEM_LEVELS.join('、')}` })
  level!: SystemLevel;

  @ApiProperty({ description: '版本号' })
  @IsString({ message: '版本号须为文字' })
  @MinLength(1, { message: '请填写版本号' })
  @MaxLength(32, { message: '版本号不能超过 32 个字符' })
  version!: string;

  @ApiProperty({ description: '上线日期' })
  @IsDateString({ strict: true }, { message: '上线日期须为日期，如 2026-03-01' })
  goLiveDate!: string;

  @ApiPropertyOptional({ enum: SYSTEM_STATUSES, default: '运行' })
  @IsOptional()
  @IsIn(SYSTEM_STATUSES, { message: '运行状态须为 运行 或 停用' })
  status?: (typeof SYSTEM_STATUSES)[number];

  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: '说明须为文字' })
  @MaxLength(2000, { message: '说明不能超过 2000 个字' })
  description?: string;
}

export class UpdateSystemDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: '系统名称须为文字' })
  @MinLength(2, { message: '系统名称至少 2 个字' })
  @MaxLength(100, { message: '系统名称不能超过 100 个字' })
  name?: string;

  @ApiPropertyOptional({ description: '来源项目；null 表示解除关联' })
  @IsOptional()
  @IsUUID('all', { message: 'projectId 须为项目编号（UUID）' })
  projectId?: string | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: '版本号须为文字' })
  @MinLength(1, { message: '请填写版本号' })
  @MaxLength(32, { message: '版本号不能超过 32 个字符' })
  version?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsDateString({ strict: true }, { message: '上线日期须为日期，如 2026-03-01' })
  goLiveDate?: string;

  @ApiPropertyOptional({ enum: SYSTEM_STATUSES })
  @IsOptional()
  @IsIn(SYSTEM_STATUSES, { message: '运行状态须为 运行 或 停用' })
  status?: (typeof SYSTEM_STATUSES)[number];

  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: '说明须为文字' })
  @MaxLength(2000, { message: '说明不能超过 2000 个字' })
  description?: string;

  @ApiProperty({ description: '变更原因' })
  @IsString({ message: '变更原因须为文字' })
  @MinLength(2, { message: '请填写变更原因' })
  @MaxLength(2000, { message: '变更原因不能超过 2000 个字' })
  reason!: string;
}
