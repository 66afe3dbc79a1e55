import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { PageLimit, PageOffset } from '../platform/paging';

const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** 公告 as 办公厅 publishes or edits it: plain text only (the page shows it as text, never as HTML). */
export class SaveAnnouncementDto {
  @ApiProperty({ example: '关于元旦放假安排的通知' })
  @Transform(trim)
  @IsString({ message: '请填写公告标题' })
  @MinLength(2, { message: '公告标题至少 2 个字' })
  @MaxLength(100, { message: '公告标题不能超过 100 个字' })
  title!: string;

  @ApiProperty({ description: '正文（纯文本）' })
  @Transform(trim)
  @IsString({ message: '请填写公告正文' })
  @MinLength(2, { message: '公告正文至少 2 个字' })
  @MaxLength(5000, { message: '公告正文不能超过 5000 个字' })
  body!: string;

  @ApiPropertyOptional({ default: false, description: '置顶' })
  @IsOptional()
  @IsBoolean({ message: '置顶须为是或否' })
  pinned?: boolean;

  @ApiPropertyOptional({ example: '2026-12-31', nullable: true, description: '有效期至（含当日，北京时间）；不填为长期有效' })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString({ message: '有效期须为日期（YYYY-MM-DD）' })
  @Matches(DAY, { message: '有效期须为日期（YYYY-MM-DD）' })
  expiresOn?: string | null;
}

export const ANNOUNCEMENT_VIEWS = ['current', 'all'] as const;

export class ListAnnouncementsQuery {
  @ApiPropertyOptional({ enum: ANNOUNCEMENT_VIEWS, default: 'current', description: 'all = 含已过期与已撤回（仅办公厅）' })
  @IsOptional()
  @IsIn(ANNOUNCEMENT_VIEWS, { message: 'view 须为 current 或 all' })
  view: (typeof ANNOUNCEMENT_VIEWS)[number] = 'current';

  @PageLimit(100, 20)
  limit = 20;

  @PageOffset()
  offset = 0;
}
