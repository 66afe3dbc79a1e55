import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsObject, IsString, MaxLength, MinLength } from 'class-validator';

/** The start forms that can be kept half-filled (暂存). */
export const DRAFT_FORMS = ['project', 'filing', 'data-request', 'approval', 'document'] as const;
export type DraftForm = (typeof DRAFT_FORMS)[number];

/** 64 KB of JSON: a start form's fields, never its files (attachments are uploaded to the record). */
export const DRAFT_MAX_BYTES = 65_536;

export class PhrasesDto {
  @ApiProperty({ type: [String], description: '常用语（按显示顺序，最多 30 条，每条 1–100 字）' })
  @IsArray({ message: '常用语须为列表' })
  @ArrayMaxSize(30, { message: '常用语最多 30 条' })
  @IsString({ each: true, message: '每条常用语须为文字' })
  @MinLength(1, { each: true, message: '常用语不能为空' })
  @MaxLength(100, { each: true, message: '每条常用语不能超过 100 个字' })
  phrases!: string[];
}

export class DraftDto {
  @ApiProperty({ type: Object, description: '表单内容（JSON 对象，不超过 64 KB）' })
  @IsObject({ message: '暂存内容须为 JSON 对象' })
  payload!: Record<string, unknown>;
}
