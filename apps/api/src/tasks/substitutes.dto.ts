import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** 代理: I name a substitute who handles my personal tasks from startsOn to endsOn (both included, Beijing time). */
export class CreateSubstituteDto {
  @ApiProperty({ description: '代理人的人员编号' })
  @IsUUID('all', { message: 'substituteId 须为人员编号（UUID）' })
  substituteId!: string;

  @ApiProperty({ example: '2026-03-02', description: '开始日期（含）' })
  @Matches(DAY, { message: '开始日期须为 YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: '开始日期不是有效日期' })
  startsOn!: string;

  @ApiProperty({ example: '2026-03-06', description: '结束日期（含）' })
  @Matches(DAY, { message: '结束日期须为 YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: '结束日期不是有效日期' })
  endsOn!: string;

  @ApiPropertyOptional({ description: '事由，如 出差、休假' })
  @IsOptional()
  @IsString({ message: '事由须为文字' })
  @MaxLength(200, { message: '事由不能超过 200 个字符' })
  reason?: string;
}
