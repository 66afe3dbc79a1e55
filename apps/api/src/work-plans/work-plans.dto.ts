import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
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

const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** How often the responsible unit reports its progress: monthly (每月) or quarterly (每季度). */
export const CADENCES = ['monthly', 'quarterly'] as const;
export type Cadence = (typeof CADENCES)[number];

/** One 工作要点: what, how (措施), which unit answers for it, by when, and how often it reports progress. */
export class PlanItemDto {
  @ApiProperty({ description: '工作要点' })
  @IsString({ message: '请填写工作要点' })
  @MinLength(2, { message: '工作要点至少 2 个字' })
  @MaxLength(200, { message: '工作要点不能超过 200 个字' })
  title!: string;

  @ApiProperty({ description: '工作措施' })
  @IsString({ message: '请填写工作措施' })
  @MinLength(2, { message: '工作措施至少 2 个字' })
  @MaxLength(2000, { message: '工作措施不能超过 2000 个字' })
  measures!: string;

  @ApiProperty({ description: '责任单位' })
  @IsUUID('all', { message: '责任单位编号格式不正确' })
  unitId!: string;

  @ApiProperty({ example: '2026-06-30', description: '完成时限（计划年度内的日期）' })
  @IsString({ message: '完成时限须为日期（YYYY-MM-DD）' })
  @Matches(DAY, { message: '完成时限须为日期（YYYY-MM-DD）' })
  deadline!: string;

  @ApiPropertyOptional({ enum: CADENCES, default: 'monthly', description: '进展报送周期：monthly 每月，quarterly 每季度' })
  @IsOptional()
  @IsIn(CADENCES, { message: '进展报送周期须为 monthly（每月）或 quarterly（每季度）' })
  cadence?: Cadence;
}

/** The plan's text and items as 信息办 edits them (the whole list each time). */
export class UpdatePlanDto {
  @ApiProperty({ description: '标题' })
  @IsString({ message: '请填写标题' })
  @MinLength(2, { message: '标题至少 2 个字' })
  @MaxLength(200, { message: '标题不能超过 200 个字' })
  title!: string;

  @ApiPropertyOptional({ description: '总体要求' })
  @IsOptional()
  @IsString({ message: '总体要求须为文字' })
  @MaxLength(5000, { message: '总体要求不能超过 5000 个字' })
  intro?: string;

  @ApiProperty({ type: [PlanItemDto], description: '工作要点（按顺序）' })
  @IsArray({ message: '工作要点须为列表' })
  @ArrayMinSize(1, { message: '请至少填写一项工作要点' })
  @ArrayMaxSize(200, { message: '工作要点不能超过 200 项' })
  @ValidateNested({ each: true })
  @Type(() => PlanItemDto)
  items!: PlanItemDto[];
}

export class CreatePlanDto extends UpdatePlanDto {
  @ApiProperty({ example: 2026, description: '年度' })
  @Type(() => Number)
  @IsInt({ message: '年度须为整数年份' })
  @Min(2000, { message: '年度不早于 2000 年' })
  @Max(2100, { message: '年度不晚于 2100 年' })
  year!: number;
}

export class ListPlansQuery {
  @ApiPropertyOptional({ example: 2026 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: '年度须为整数年份' })
  @Min(2000, { message: '年度不早于 2000 年' })
  @Max(2100, { message: '年度不晚于 2100 年' })
  year?: number;

  @PageOffset()
  offset?: number;

  @PageLimit(100, 20)
  limit?: number;
}

/** A periodic progress report of the responsible unit. */
export class ProgressDto {
  @ApiProperty({ minimum: 0, maximum: 100, description: '完成进度（百分比）' })
  @Type(() => Number)
  @IsInt({ message: '完成进度须为 0 到 100 的整数' })
  @Min(0, { message: '完成进度须为 0 到 100 的整数' })
  @Max(100, { message: '完成进度须为 0 到 100 的整数' })
  percent!: number;

  @ApiProperty({ description: '进展情况' })
  @IsString({ message: '请填写进展情况' })
  @MinLength(2, { message: '进展情况至少 2 个字' })
  @MaxLength(2000, { message: '进展情况不能超过 2000 个字' })
  note!: string;
}

/** The responsible unit's own year-end summary of its item (自评). */
export class SummaryDto {
  @ApiProperty({ description: '年度工作总结（自评）' })
  @IsString({ message: '请填写年度工作总结' })
  @MinLength(2, { message: '年度工作总结至少 2 个字' })
  @MaxLength(5000, { message: '年度工作总结不能超过 5000 个字' })
  summary!: string;
}

/** 信息办's overall conclusion, sent with the assembled 年度评估 to the leading group. */
export class EvaluationDto {
  @ApiProperty({ description: '总体评价' })
  @IsString({ message: '请填写总体评价' })
  @MinLength(2, { message: '总体评价至少 2 个字' })
  @MaxLength(5000, { message: '总体评价不能超过 5000 个字' })
  conclusion!: string;
}

/** 退回修改 of a returned plan: 重新提请 (resubmit) or 撤回 (withdraw), with a note. */
export class ResubmitDto {
  @ApiPropertyOptional({ description: '修改说明' })
  @IsOptional()
  @IsString({ message: '修改说明须为文字' })
  @MaxLength(1000, { message: '修改说明不能超过 1000 个字' })
  comment?: string;
}
