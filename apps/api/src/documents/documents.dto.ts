import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { PageLimit, PageOffset } from '../platform/paging';

export const DOC_TYPES = ['通知', '通报', '请示', '报告', '函', '纪要'] as const;
export const SECRECY_LEVELS = ['非密', '秘密', '机密'] as const;
export const URGENCIES = ['平急', '加急', '特急'] as const;
/** 公开属性, decided at 拟稿 (政府信息公开条例). */
export const DISCLOSURES = ['主动公开', '依申请公开', '不予公开'] as const;
export const DOCUMENT_STATUSES = ['拟稿', '核稿', '会签', '签发', '用印', '分发', '办结', '不予签发', '已撤销'] as const;
export const RECEIPT_STATUSES = ['已送达', '已签收', '退文', '办理中', '办结'] as const;

/** 纪要's attendance lists (GB/T 9704-2012 §10.3), names as the 文秘 writes them (joined with 、). */
export class AttendanceDto {
  @ApiPropertyOptional({ description: '出席' })
  @IsOptional()
  @IsString({ message: '出席人员须为文字' })
  @MaxLength(1000, { message: '出席人员不能超过 1000 字' })
  present?: string;

  @ApiPropertyOptional({ description: '请假' })
  @IsOptional()
  @IsString({ message: '请假人员须为文字' })
  @MaxLength(1000, { message: '请假人员不能超过 1000 字' })
  absent?: string;

  @ApiPropertyOptional({ description: '列席' })
  @IsOptional()
  @IsString({ message: '列席人员须为文字' })
  @MaxLength(1000, { message: '列席人员不能超过 1000 字' })
  attending?: string;
}

export class CreateDocumentDto {
  @ApiProperty({ enum: DOC_TYPES, description: '文种' })
  @IsIn(DOC_TYPES, { message: `文种须为 ${DOC_TYPES.join('、')} 之一` })
  docType!: (typeof DOC_TYPES)[number];

  @ApiProperty({ description: '标题' })
  @IsString({ message: '标题须为文字' })
  @MinLength(2, { message: '请填写标题（至少 2 个字）' })
  @MaxLength(200, { message: '标题不能超过 200 个字' })
  title!: string;

  @ApiPropertyOptional({ enum: SECRECY_LEVELS, default: '非密', description: '密级' })
  @IsOptional()
  @IsIn(SECRECY_LEVELS, { message: `密级须为 ${SECRECY_LEVELS.join('、')} 之一（绝密文件不得在平台上传输）` })
  secrecy?: (typeof SECRECY_LEVELS)[number];

  @ApiPropertyOptional({ description: '保密期限，如 “1年”' })
  @IsOptional()
  @IsString()
  @MaxLength(20, { message: '保密期限不能超过 20 个字' })
  secrecyTerm?: string;

  @ApiPropertyOptional({ enum: URGENCIES, default: '平急', description: '紧急程度' })
  @IsOptional()
  @IsIn(URGENCIES, { message: `紧急程度须为 ${URGENCIES.join('、')} 之一` })
  urgency?: (typeof URGENCIES)[number];

  @ApiPropertyOptional({
    enum: DISCLOSURES,
    description: '公开属性，拟稿时确定；涉密公文只能不予公开（缺省时涉密为不予公开，非密为未确定）',
  })
  @IsOptional()
  @IsIn(DISCLOSURES, { message: `公开属性须为 ${DISCLOSURES.join('、')} 之一` })
  disclosure?: (typeof DISCLOSURES)[number];

  @ApiProperty({ type: [String], description: '主送机关（单位编号）' })
  @IsArray({ message: '主送机关须为单位编号列表' })
  @ArrayMinSize(1, { message: '请至少选择一个主送机关' })
  @ArrayMaxSize(200, { message: '主送机关不能超过 200 个' })
  @ArrayUnique({ message: '主送机关有重复' })
  @IsUUID('all', { each: true, message: '主送机关须为单位编号' })
  mainRecipients!: string[];

  @ApiPropertyOptional({ type: [String], description: '抄送机关（单位编号）' })
  @IsOptional()
  @IsArray({ message: '抄送机关须为单位编号列表' })
  @ArrayMaxSize(200, { message: '抄送机关不能超过 200 个' })
  @ArrayUnique({ message: '抄送机关有重复' })
  @IsUUID('all', { each: true, message: '抄送机关须为单位编号' })
  ccRecipients?: string[];

  @ApiPropertyOptional({ type: [String], description: '会签单位（单位编号），全部同意后方可签发' })
  @IsOptional()
  @IsArray({ message: '会签单位须为单位编号列表' })
  @ArrayMaxSize(20, { message: '会签单位不能超过 20 个' })
  @ArrayUnique({ message: '会签单位有重复' })
  @IsUUID('all', { each: true, message: '会签单位须为单位编号' })
  countersignUnits?: string[];

  @ApiProperty({ description: '正文' })
  @IsString({ message: '正文须为文字' })
  @MinLength(1, { message: '请填写正文' })
  @MaxLength(100_000, { message: '正文不能超过 10 万字' })
  body!: string;

  @ApiPropertyOptional({ description: '附件说明，每行一项' })
  @IsOptional()
  @IsString()
  @MaxLength(2000, { message: '附件说明不能超过 2000 字' })
  attachmentNote?: string;

  @ApiPropertyOptional({ description: '联合行文：以本单位（主办）和全部会签单位的名义联合发文，须有会签单位' })
  @IsOptional()
  @IsBoolean({ message: '联合行文须为 true 或 false' })
  jointIssue?: boolean;

  @ApiPropertyOptional({ type: AttendanceDto, description: '纪要的出席、请假、列席人员（仅纪要）' })
  @IsOptional()
  @ValidateNested()
  @Type(() => AttendanceDto)
  attendance?: AttendanceDto;
}

export class ListDocumentsQuery {
  @ApiPropertyOptional({ enum: ['sent', 'received'], default: 'sent', description: 'sent：本单位发文；received：本单位收文' })
  @IsOptional()
  @IsIn(['sent', 'received'], { message: 'box 须为 sent 或 received' })
  box: 'sent' | 'received' = 'sent';

  @ApiPropertyOptional({ description: '发文状态（sent）或收文状态（received）' })
  @IsOptional()
  @IsIn([...DOCUMENT_STATUSES, ...RECEIPT_STATUSES], { message: '状态不正确' })
  status?: string;

  @ApiPropertyOptional({ enum: DOC_TYPES })
  @IsOptional()
  @IsIn(DOC_TYPES, { message: `文种须为 ${DOC_TYPES.join('、')} 之一` })
  docType?: string;

  @ApiPropertyOptional({ description: '发文年度' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: '年度须为整数' })
  @Min(2000, { message: '年度不早于 2000' })
  @Max(2100, { message: '年度不晚于 2100' })
  year?: number;

  @ApiPropertyOptional({ description: '标题或发文字号中的词' })
  @IsOptional()
  @IsString()
  @MaxLength(64, { message: '搜索词不能超过 64 个字符' })
  q?: string;

  @PageLimit(200, 20)
  limit = 20;

  @PageOffset()
  offset = 0;
}

export class RefuseReceiptDto {
  @ApiProperty({ description: '退文理由，如 “非本单位职责，误送”' })
  @IsString({ message: '请填写退文理由' })
  @MinLength(2, { message: '请填写退文理由（至少 2 个字）' })
  @MaxLength(500, { message: '退文理由不能超过 500 字' })
  reason!: string;
}
