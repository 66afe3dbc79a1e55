import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { PageLimit, PageNumber } from '../platform/paging';

export const RETENTIONS = ['Y', 'D30', 'D10'] as const;

/** Filters of the archive list: 年度, 保管期限, 机构, keyword (题名, 档号, 文件编号). */
export class ListArchiveQuery {
  @ApiPropertyOptional({ description: '年度' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: '年度必须是四位数年份' })
  @Min(1949, { message: '年度必须是四位数年份' })
  @Max(2999, { message: '年度必须是四位数年份' })
  year?: number;

  @ApiPropertyOptional({ enum: RETENTIONS, description: '保管期限：Y 永久，D30 30年，D10 10年' })
  @IsOptional()
  @IsIn(RETENTIONS, { message: '保管期限只能是 Y（永久）、D30（30年）或 D10（10年）' })
  retention?: (typeof RETENTIONS)[number];

  @ApiPropertyOptional({ description: '机构代码，如 GHS' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9]{1,20}$/, { message: '机构代码只能包含字母和数字' })
  unit?: string;

  @ApiPropertyOptional({ description: '关键词：题名、档号或文件编号' })
  @IsOptional()
  @IsString()
  @MaxLength(100, { message: '关键词不能超过100个字' })
  keyword?: string;

  @PageNumber()
  page?: number;

  @PageLimit(100, 20, 'pageSize')
  pageSize?: number;
}

export const STAGES = ['GD', 'YJ', 'BC'] as const;

/** 四性检测 stage (DA/T 70-2018): GD 归档, YJ 移交与接收, BC 长期保存 (default). */
export class CheckQuery {
  @ApiPropertyOptional({ enum: STAGES, description: '检测环节：GD 归档，YJ 移交与接收，BC 长期保存（默认）' })
  @IsOptional()
  @IsIn(STAGES, { message: '检测环节只能是 GD（归档）、YJ（移交与接收）或 BC（长期保存）' })
  stage?: (typeof STAGES)[number];
}

/** Which recorded check to print (the latest when absent). */
export class ReportQuery {
  @ApiPropertyOptional({ description: '检测记录 ID；缺省为最近一次' })
  @IsOptional()
  @IsString()
  @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, { message: '检测记录 ID 格式不正确' })
  check?: string;
}

/** What to transfer to the 档案馆: a 年度, or the packages chosen (at least one of the two). */
export class CreateTransferBody {
  @ApiPropertyOptional({ description: '移交的年度' })
  @IsOptional()
  // A JSON body carries numbers as numbers: no conversion (an object with a hostile valueOf would throw in it).
  @IsInt({ message: '年度必须是四位数年份' })
  @Min(1949, { message: '年度必须是四位数年份' })
  @Max(2999, { message: '年度必须是四位数年份' })
  year?: number;

  @ApiPropertyOptional({ type: [String], description: '移交的档案 ID' })
  @IsOptional()
  @IsArray({ message: '档案 ID 必须是列表' })
  @ArrayMaxSize(500, { message: '一次最多移交 500 件' })
  @IsUUID('all', { each: true, message: '档案 ID 格式不正确' })
  packageIds?: string[];
}
