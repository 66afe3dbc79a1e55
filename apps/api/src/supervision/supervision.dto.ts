import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { PageLimit, PageOffset } from '../platform/paging';
import { SUPERVISION_STATUSES, type SupervisionStatus } from './supervision-rules';

export const TARGET_KINDS = ['case', 'document'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** 督办: what is supervised, by when, with which 督办意见, and which unit answers for it. */
export class CreateSupervisionDto {
  @ApiProperty({ enum: TARGET_KINDS, description: 'case = 流程事项, document = 公文' })
  @IsIn(TARGET_KINDS, { message: '督办对象类型须为 case（流程事项）或 document（公文）' })
  targetKind!: TargetKind;

  @ApiProperty({ description: '流程事项（流程实例）或公文的编号' })
  @IsUUID('all', { message: '督办对象编号格式不正确' })
  targetId!: string;

  @ApiPropertyOptional({ example: '2026-12-31', description: '办结期限（日期）；与 workingDays 二选一' })
  @IsOptional()
  @IsString({ message: '办结期限须为日期（YYYY-MM-DD）' })
  @Matches(DAY, { message: '办结期限须为日期（YYYY-MM-DD）' })
  deadline?: string;

  @ApiPropertyOptional({ example: 5, description: '自今日起 N 个工作日内办结（按节假日安排计算）；与 deadline 二选一' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: '办结期限工作日数须为整数' })
  @Min(1, { message: '办结期限工作日数至少为 1' })
  @Max(250, { message: '办结期限工作日数不能超过 250' })
  workingDays?: number;

  @ApiProperty({ description: '督办意见' })
  @IsString({ message: '请填写督办意见' })
  @MinLength(2, { message: '督办意见至少 2 个字' })
  @MaxLength(2000, { message: '督办意见不能超过 2000 个字' })
  opinion!: string;

  @ApiPropertyOptional({ description: '承办单位；默认为流程的主办单位或公文的起草单位' })
  @IsOptional()
  @IsUUID('all', { message: '承办单位编号格式不正确' })
  unitId?: string;
}

export class ListSupervisionQuery {
  @ApiPropertyOptional({ enum: SUPERVISION_STATUSES })
  @IsOptional()
  @IsIn(SUPERVISION_STATUSES, { message: `状态须为：${SUPERVISION_STATUSES.join('、')}` })
  status?: SupervisionStatus;

  @ApiPropertyOptional({ description: '承办单位' })
  @IsOptional()
  @IsUUID('all', { message: '承办单位编号格式不正确' })
  unitId?: string;

  @ApiPropertyOptional({ example: 2026, description: '督办年度' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: '年度须为整数年份' })
  @Min(2000, { message: '年度不早于 2000 年' })
  @Max(2100, { message: '年度不晚于 2100 年' })
  year?: number;

  @ApiPropertyOptional({ description: '督办对象（事项或公文）的编号' })
  @IsOptional()
  @IsUUID('all', { message: '督办对象编号格式不正确' })
  targetId?: string;

  @PageOffset()
  offset?: number;

  @PageLimit(200, 20)
  limit?: number;
}

/** The CSV export takes the ledger's filters, without paging. */
export class ExportSupervisionQuery {
  @ApiPropertyOptional({ enum: SUPERVISION_STATUSES })
  @IsOptional()
  @IsIn(SUPERVISION_STATUSES, { message: `状态须为：${SUPERVISION_STATUSES.join('、')}` })
  status?: SupervisionStatus;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('all', { message: '承办单位编号格式不正确' })
  unitId?: string;

  @ApiPropertyOptional({ example: 2026 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: '年度须为整数年份' })
  @Min(2000, { message: '年度不早于 2000 年' })
  @Max(2100, { message: '年度不晚于 2100 年' })
  year?: number;
}

/** 办结 reported by the responsible unit, with an optional file uploaded to the item beforehand. */
export class ReportSupervisionDto {
  @ApiProperty({ description: '办结情况' })
  @IsString({ message: '请填写办结情况' })
  @MinLength(2, { message: '办结情况至少 2 个字' })
  @MaxLength(2000, { message: '办结情况不能超过 2000 个字' })
  note!: string;

  @ApiPropertyOptional({ type: [String], description: '已上传到本督办事项的附件' })
  @IsOptional()
  @IsArray({ message: '附件须为列表' })
  @ArrayMaxSize(20, { message: '附件不能超过 20 个' })
  @IsUUID('all', { each: true, message: '附件编号格式不正确' })
  attachmentIds?: string[];
}

/** 退回: the creator says why the report is not enough. */
export class ReturnSupervisionDto {
  @ApiProperty({ description: '退回理由' })
  @IsString({ message: '请填写退回理由' })
  @MinLength(2, { message: '退回理由至少 2 个字' })
  @MaxLength(1000, { message: '退回理由不能超过 1000 个字' })
  reason!: string;
}
