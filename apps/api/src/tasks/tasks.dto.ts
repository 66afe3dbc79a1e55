import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDateString,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
} from 'class-validator';
import { PageLimit, PageOffset } from '../platform/paging';

export const TASK_VIEWS = ['todo', 'done', 'started', 'cc'] as const;
export type TaskView = (typeof TASK_VIEWS)[number];

/** The operations of DESIGN.md §8; a task lists which of them the caller may use now. */
export const TASK_ACTIONS = [
  'approve',
  'return',
  'reject',
  'transfer',
  'delegate',
  'resolve',
  'cc',
  'withdraw',
  'urge',
  'claim',
  'unclaim',
  'add-signer',
  'remove-signer',
] as const;
export type TaskAction = (typeof TASK_ACTIONS)[number];

export const SIGNER_POSITIONS = ['before', 'after'] as const;
export type SignerPosition = (typeof SIGNER_POSITIONS)[number];

export class ListTasksQuery {
  @ApiPropertyOptional({ enum: TASK_VIEWS, default: 'todo' })
  @IsOptional()
  @IsIn(TASK_VIEWS, { message: `view 须为以下之一：${TASK_VIEWS.join(', ')}` })
  view: TaskView = 'todo';

  @ApiPropertyOptional({ description: '流程标识，如 plan-filing' })
  @IsOptional()
  @IsString()
  @MaxLength(64, { message: '流程标识不能超过 64 个字符' })
  process?: string;

  @ApiPropertyOptional({ description: '紧急程度：特急、加急、平急' })
  @IsOptional()
  @IsIn(['特急', '加急', '平急'], { message: '紧急程度须为 特急、加急 或 平急' })
  urgency?: string;

  @ApiPropertyOptional({ description: 'true：只看已超期' })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'overdue 须为 true 或 false' })
  overdue?: 'true' | 'false';

  @ApiPropertyOptional({ description: '标题、环节或业务编号中的词' })
  @IsOptional()
  @IsString()
  @MaxLength(64, { message: '搜索词不能超过 64 个字符' })
  q?: string;

  @ApiPropertyOptional({ description: '创建时间起（含），ISO 日期' })
  @IsOptional()
  @IsDateString({}, { message: 'from 须为 ISO 日期' })
  from?: string;

  @ApiPropertyOptional({ description: '创建时间止（不含），ISO 日期' })
  @IsOptional()
  @IsDateString({}, { message: 'to 须为 ISO 日期' })
  to?: string;

  @ApiPropertyOptional({ enum: ['created', 'due', 'priority'], default: 'created' })
  @IsOptional()
  @IsIn(['created', 'due', 'priority'], { message: 'sort 须为 created、due 或 priority' })
  sort: 'created' | 'due' | 'priority' = 'created';

  @PageLimit(200, 20)
  limit = 20;

  @PageOffset()
  offset = 0;
}

export class TaskActionDto {
  @ApiProperty({ enum: TASK_ACTIONS })
  @IsIn(TASK_ACTIONS, { message: `action 须为以下之一：${TASK_ACTIONS.join(', ')}` })
  action!: TaskAction;

  @ApiPropertyOptional({ description: '审批意见' })
  @IsOptional()
  @IsString({ message: '意见须为文字' })
  @MaxLength(2000, { message: '意见不能超过 2000 个字符' })
  comment?: string;

  @ApiPropertyOptional({ description: '随办理提交的表单字段' })
  @IsOptional()
  @IsObject({ message: 'variables 须为对象' })
  variables?: Record<string, unknown>;

  @ApiPropertyOptional({ description: '退回的环节标识，或转办/委派的人员编号' })
  @IsOptional()
  @IsString()
  @MaxLength(64, { message: 'target 不能超过 64 个字符' })
  target?: string;

  @ApiPropertyOptional({ description: '抄送、加签或减签的人员编号' })
  @IsOptional()
  @IsArray({ message: 'targets 须为人员编号的数组' })
  @ArrayMaxSize(50, { message: '一次最多选择 50 人' })
  @IsUUID('all', { each: true, message: 'targets 须为人员编号（UUID）' })
  targets?: string[];

  @ApiPropertyOptional({
    enum: SIGNER_POSITIONS,
    description: '加签位置：before 前加签（先由加签人办理），after 后加签（本人同意后再由加签人签署）',
  })
  @IsOptional()
  @IsIn(SIGNER_POSITIONS, { message: 'position 须为 before（前加签）或 after（后加签）' })
  position?: SignerPosition;
}

/** 批量同意: each task is its own transaction; the answer says, per task, whether it went through. */
export class BatchActionDto {
  @ApiProperty({ type: [String], description: '任务编号，1 至 100 个' })
  @IsArray({ message: 'taskIds 须为任务编号的数组' })
  @ArrayMinSize(1, { message: '请至少选择一个任务' })
  @ArrayMaxSize(100, { message: '一次最多批量办理 100 个任务' })
  @IsUUID('all', { each: true, message: 'taskIds 须为任务编号（UUID）' })
  taskIds!: string[];

  @ApiProperty({ enum: ['approve'] })
  @IsIn(['approve'], { message: '批量办理只支持 approve（同意）' })
  action!: 'approve';

  @ApiPropertyOptional({ description: '审批意见（对每个任务相同）' })
  @IsOptional()
  @IsString({ message: '意见须为文字' })
  @MaxLength(2000, { message: '意见不能超过 2000 个字符' })
  comment?: string;
}
