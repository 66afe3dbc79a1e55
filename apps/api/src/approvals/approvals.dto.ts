import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { PageLimit, PageOffset } from '../platform/paging';
import { IsDecimal } from '../platform/validation';
import { APPROVAL_STATUSES, LEVELS, MATTER_TYPES, type ApprovalStatus, type Level, type MatterType } from './approvals.constants';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** 受理: what the county window records about the application. */
export class AcceptApprovalDto {
  @ApiProperty({ enum: MATTER_TYPES, description: '事项类型' })
  @IsIn(MATTER_TYPES, { message: `事项类型须为 ${MATTER_TYPES.join('、')} 之一` })
  matterType!: MatterType;

  @ApiProperty({ description: '事项名称，如 “玄武区2025年第3批次建设用地报批”' })
  @Transform(trim)
  @IsString({ message: '事项名称须为文字' })
  @MinLength(2, { message: '请填写事项名称（至少 2 个字）' })
  @MaxLength(200, { message: '事项名称不能超过 200 个字' })
  title!: string;

  @ApiProperty({ description: '申请人（单位或个人）' })
  @Transform(trim)
  @IsString({ message: '申请人须为文字' })
  @MinLength(2, { message: '请填写申请人（至少 2 个字）' })
  @MaxLength(100, { message: '申请人不能超过 100 个字' })
  applicant!: string;

  @ApiPropertyOptional({ description: '申请人联系方式' })
  @IsOptional()
  @Transform(trim)
  @IsString({ message: '联系方式须为文字' })
  @MaxLength(50, { message: '联系方式不能超过 50 个字' })
  applicantContact?: string;

  @ApiProperty({ description: '坐落（项目位置）' })
  @Transform(trim)
  @IsString({ message: '坐落须为文字' })
  @MinLength(2, { message: '请填写坐落（至少 2 个字）' })
  @MaxLength(200, { message: '坐落不能超过 200 个字' })
  location!: string;

  @ApiProperty({ description: '用地面积（公顷），大于 0，最多 4 位小数' })
  @IsDecimal(4, { message: '用地面积须为数字（公顷），最多 4 位小数' })
  @Min(0.0001, { message: '用地面积须大于 0 公顷' })
  @Max(100000, { message: '用地面积不能超过 100000 公顷，请核对单位（公顷）' })
  landArea!: number;

  @ApiProperty({ description: '申请事由及材料说明' })
  @Transform(trim)
  @IsString({ message: '申请说明须为文字' })
  @MinLength(5, { message: '请填写申请说明（至少 5 个字）' })
  @MaxLength(5000, { message: '申请说明不能超过 5000 字' })
  description!: string;
}

/** 补正后重新提交: the corrected fields (any of them) and a note on what was corrected. */
export class ResubmitApprovalDto {
  @ApiPropertyOptional({ description: '申请人' })
  @IsOptional()
  @Transform(trim)
  @IsString({ message: '申请人须为文字' })
  @MinLength(2, { message: '请填写申请人（至少 2 个字）' })
  @MaxLength(100, { message: '申请人不能超过 100 个字' })
  applicant?: string;

  @ApiPropertyOptional({ description: '坐落' })
  @IsOptional()
  @Transform(trim)
  @IsString({ message: '坐落须为文字' })
  @MinLength(2, { message: '请填写坐落（至少 2 个字）' })
  @MaxLength(200, { message: '坐落不能超过 200 个字' })
  location?: string;

  @ApiPropertyOptional({ description: '用地面积（公顷）' })
  @IsOptional()
  @IsDecimal(4, { message: '用地面积须为数字（公顷），最多 4 位小数' })
  @Min(0.0001, { message: '用地面积须大于 0 公顷' })
  @Max(100000, { message: '用地面积不能超过 100000 公顷，请核对单位（公顷）' })
  landArea?: number;

  @ApiPropertyOptional({ description: '申请说明' })
  @IsOptional()
  @Transform(trim)
  @IsString({ message: '申请说明须为文字' })
  @MinLength(5, { message: '请填写申请说明（至少 5 个字）' })
  @MaxLength(5000, { message: '申请说明不能超过 5000 字' })
  description?: string;

  @ApiProperty({ description: '补正说明' })
  @Transform(trim)
  @IsString({ message: '请填写补正说明' })
  @MinLength(2, { message: '请填写补正说明（至少 2 个字）' })
  @MaxLength(1000, { message: '补正说明不能超过 1000 字' })
  comment!: string;
}

export class ListApprovalsQuery {
  @ApiPropertyOptional({ enum: APPROVAL_STATUSES, description: '状态' })
  @IsOptional()
  @IsIn(APPROVAL_STATUSES, { message: `状态须为 ${APPROVAL_STATUSES.join('、')} 之一` })
  status?: ApprovalStatus;

  @ApiPropertyOptional({ enum: MATTER_TYPES, description: '事项类型' })
  @IsOptional()
  @IsIn(MATTER_TYPES, { message: `事项类型须为 ${MATTER_TYPES.join('、')} 之一` })
  matterType?: MatterType;

  @ApiPropertyOptional({ enum: LEVELS, description: '当前所在层级' })
  @IsOptional()
  @IsIn(LEVELS, { message: `层级须为 ${LEVELS.join('、')} 之一` })
  level?: Level;

  @ApiPropertyOptional({ description: 'true：只看有层级超期的案件；false：只看未超期的' })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'overdue 须为 true 或 false' })
  overdue?: 'true' | 'false';

  @ApiPropertyOptional({ description: '受理编号、事项名称、申请人或坐落中的词' })
  @IsOptional()
  @IsString()
  @MaxLength(64, { message: '搜索词不能超过 64 个字符' })
  q?: string;

  @PageLimit(200, 20)
  limit = 20;

  @PageOffset()
  offset = 0;
}
